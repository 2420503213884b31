// Event source mappings (state, per-shard checkpoint, iterator age, last result), and where
// failed or finished events go: dead-letter queues and destinations.
import { get } from "../api.js";
import { h, clear, enc, ms, time, short, section, keyValues, statusBadge, errorBox } from "../dom.js";
import { pagedTable, pageHeader } from "../components.js";
import { field } from "./util.js";

function arnName(arn) {
  if (typeof arn !== "string") return String(arn ?? "");
  const tail = arn.split(":").pop();
  return tail.includes("/") ? tail.split("/").slice(-3).join("/") : tail;
}

function arnLink(arn) {
  if (typeof arn !== "string") return String(arn ?? "");
  const name = arnName(arn);
  if (arn.startsWith("arn:aws:sqs:")) return h("a", { href: `#/sqs/${enc(name)}` }, `sqs ${name}`);
  if (arn.startsWith("arn:aws:sns:")) return h("a", { href: "#/sns" }, `sns ${name}`);
  if (arn.startsWith("arn:aws:lambda:")) return h("a", { href: `#/functions/${enc(name.split(":")[0])}` }, `λ ${name}`);
  if (arn.startsWith("arn:aws:s3:")) return h("a", { href: `#/s3/${enc(name)}` }, `s3 ${name}`);
  if (arn.includes(":kinesis:")) return h("a", { href: `#/kinesis/${enc(arn.split("/")[1] ?? name)}` }, `kinesis ${arn.split("/")[1] ?? name}`);
  if (arn.includes(":dynamodb:")) return h("a", { href: `#/dynamodb/${enc(arn.split("/")[1] ?? name)}` }, `dynamodb ${arn.split("/")[1] ?? name}`);
  return arn;
}

function shardTable(mapping) {
  const shards = field(mapping, "shards", "Shards", "checkpoints") || [];
  if (!shards.length) return h("p", { class: "muted" }, "No shard positions yet.");
  return h("table", { class: "list compact", "data-test": "mapping-shards" },
    h("thead", {}, h("tr", {}, ["Shard", "Checkpoint", "Iterator age", "Finished"].map((t) => h("th", {}, t)))),
    h("tbody", {}, shards.map((sh) => h("tr", {},
      h("td", { class: "mono" }, field(sh, "shard_id", "ShardId", "shard") ?? ""),
      h("td", { class: "mono" }, short(String(field(sh, "checkpoint", "sequence_number") ?? "—"), 30)),
      h("td", {}, field(sh, "iterator_age_ms") != null ? ms(field(sh, "iterator_age_ms")) : "—"),
      h("td", {}, field(sh, "finished") ? "yes (closed shard read to its end)" : "")))));
}

export function mappings() {
  const detail = h("div", { class: "detail-pane" }, h("p", { class: "muted" }, "Select a mapping for its shards."));
  return h("div", {}, pageHeader("Event source mappings"), h("div", { class: "split" }, h("div", { class: "list-pane" }, pagedTable({
    path: "mappings",
    columns: [
      { label: "Source", render: (m) => arnLink(field(m, "source_arn", "event_source_arn", "EventSourceArn")) },
      { label: "Function", render: (m) => {
        const fn = arnName(field(m, "function", "FunctionArn", "function_name") ?? "");
        return h("a", { href: `#/functions/${enc(fn)}` }, fn);
      } },
      { label: "State", render: (m) => statusBadge(field(m, "state", "State")) },
      { label: "Batch", render: (m) => String(field(m, "batch_size", "BatchSize") ?? "") },
      { label: "Last result", render: (m) => short(field(m, "last_processing_result", "LastProcessingResult") ?? "", 30) },
    ],
    onRow: (m) => clear(detail).append(h("h3", {}, short(field(m, "uuid", "UUID") ?? "mapping", 40)), keyValues([
      ["State", statusBadge(field(m, "state", "State"))],
      ["State reason", field(m, "state_transition_reason", "StateTransitionReason")],
      ["Starting position", field(m, "starting_position", "StartingPosition")],
      ["Last result", field(m, "last_processing_result", "LastProcessingResult")],
      ["On failure", field(m, "on_failure") ? arnLink(field(m, "on_failure")) : undefined],
      ["Batching window (s)", field(m, "maximum_batching_window")],
      ["Retries / max record age", `${field(m, "maximum_retry_attempts") ?? "-1"} / ${field(m, "maximum_record_age") ?? "-1"}`],
      ["Bisect on error", field(m, "bisect_batch_on_function_error") ? "yes" : "no"],
      ["Response types", (field(m, "function_response_types") || []).join(", ") || undefined],
      ["Filter criteria", field(m, "filter_criteria", "FilterCriteria")],
    ]), section("Shards", shardTable(m))),
    empty: "No event source mappings.",
  })), detail));
}

// Where leftovers go, read from the topology's edges: a function's dead-letter queue and
// destinations, a mapping's on-failure destination, a queue's redrive to its DLQ.
const DESTINATION_EDGES = { dead_letter: "dead-letter queue", on_failure: "on failure", on_success: "on success", redrive: "redrive (DLQ)" };

function ownerLink(node, id) {
  const label = node?.label ?? arnName(id);
  if (node?.kind === "function") return h("a", { href: `#/functions/${enc(label)}` }, `λ ${label}`);
  if (node?.kind === "queue") return h("a", { href: `#/sqs/${enc(label)}` }, `sqs ${label}`);
  return arnLink(id);
}

export async function destinations() {
  const graph = await get("topology");
  const byId = new Map((graph.nodes || []).map((n) => [n.id, n]));
  const edges = (graph.edges || []).filter((e) => e.kind in DESTINATION_EDGES);
  const table = edges.length ? h("table", { class: "list", "data-test": "destinations" },
    h("thead", {}, h("tr", {}, ["From", "When", "To", "Note"].map((t) => h("th", {}, t)))),
    h("tbody", {}, edges.map((e) => h("tr", {},
      h("td", {}, ownerLink(byId.get(e.from), e.from)),
      h("td", {}, DESTINATION_EDGES[e.kind]),
      h("td", {}, arnLink(e.to)),
      h("td", { class: "muted" }, e.label ?? "")))))
    : h("p", { class: "muted" }, "No dead-letter queues or destinations are configured.");
  return h("div", {}, pageHeader("Dead-letter queues and destinations"),
    h("p", {}, "An asynchronous event that fails every attempt goes to its function's dead-letter queue or on-failure destination; ",
      "a successful one to the on-success destination. A mapping sends a batch it gives up on to its on-failure destination; ",
      "a queue moves a message received too often to its dead-letter queue."),
    section("Configured", table));
}
