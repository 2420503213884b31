// The overview: counts of everything, the clock, and the latest invocations.
import { get } from "../api.js";
import { h, enc, section } from "../dom.js";
import { pagedTable, pageHeader } from "../components.js";
import { field } from "./util.js";
import { invocationColumns } from "./invocations.js";

const LINKS = { buckets: "#/s3", objects: "#/s3", topics: "#/sns", subscriptions: "#/sns", queues: "#/sqs",
  messages: "#/sqs", tables: "#/dynamodb", items: "#/dynamodb", streams: "#/kinesis", records: "#/kinesis",
  functions: "#/functions", invocations: "#/invocations", mappings: "#/mappings" };

function tiles(value, path = []) {
  const out = [];
  for (const [key, inner] of Object.entries(value || {})) {
    if (key === "clock") continue;
    if (typeof inner === "number") {
      const href = LINKS[key] ?? LINKS[path[path.length - 1]];
      const label = [...path, key].join(" ").replaceAll("_", " ");
      const body = [h("div", { class: "num" }, inner.toLocaleString()), h("div", { class: "what" }, label)];
      out.push(href ? h("a", { class: "tile", href }, body) : h("div", { class: "tile" }, body));
    } else if (inner && typeof inner === "object" && !Array.isArray(inner)) {
      out.push(...tiles(inner, [...path, key]));
    }
  }
  return out;
}

export async function overview() {
  let summary;
  try { summary = await get("overview"); } catch (error) { summary = { error: error.message }; }
  const counts = tiles(summary);
  return h("div", {}, pageHeader("Overview"),
    counts.length ? h("div", { class: "tiles", "data-test": "overview" }, counts) : h("p", { class: "muted" }, summary.error ?? ""),
    section("Latest invocations", pagedTable({
      path: "invocations", limit: 15, columns: invocationColumns(),
      onRow: (i) => { location.hash = `#/invocations/${enc(field(i, "request_id"))}`; },
      empty: "No invocations yet. Send something from the Inject page.",
    })));
}
