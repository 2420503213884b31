// Resources of every service: buckets and objects (with previews), topics and subscriptions,
// queues and messages, tables and items (and their stream), Kinesis streams, shards, records.
import { url } from "../api.js";
import { h, clear, bytes, time, short, enc, codeBlock, section, keyValues, errorBox, statusBadge, pretty } from "../dom.js";
import { pagedTable, pageHeader, crumbs, tabs } from "../components.js";
import { field, nameOf, findOne } from "./util.js";

const nameColumn = (base) => ({
  key: "name", label: "Name",
  render: (item) => h("a", { href: `${base}/${enc(nameOf(item))}` }, nameOf(item)),
});

// -- S3 ------------------------------------------------------------------------------------

function notificationTargets(config) {
  const targets = [];
  for (const [section, arnKey] of [["LambdaFunctionConfigurations", "LambdaFunctionArn"],
    ["TopicConfigurations", "TopicArn"], ["QueueConfigurations", "QueueArn"]]) {
    for (const c of config[section] || []) {
      const arn = String(c[arnKey] ?? "");
      const rules = (c.Filter?.Key?.FilterRules || c.Filter?.S3Key?.Rules || []).map((r) => `${r.Name}=${r.Value}`).join(" ");
      targets.push(h("div", {}, `${arn.split(":").pop()} `, h("span", { class: "muted" }, `${(c.Events || []).join(", ")} ${rules}`)));
    }
  }
  return targets.length ? targets : h("span", { class: "muted" }, "—");
}

export function buckets() {
  return h("div", {}, pageHeader("S3 buckets"), pagedTable({
    path: "s3/buckets",
    columns: [nameColumn("#/s3"),
      { label: "Created", render: (b) => time(field(b, "created", "creation_date", "CreationDate")) },
      { label: "Notifies", render: (b) => notificationTargets(field(b, "notifications") ?? {}) }],
    onRow: (b) => { location.hash = `#/s3/${enc(nameOf(b))}`; },
    rowTest: (b) => `bucket-${nameOf(b)}`,
    empty: "No buckets. Create one with boto3, a scenario file, or the Inject page.",
  }));
}

const IMAGE_KEY = /\.(jpe?g|png|gif|webp|bmp|ico)$/i;
const TEXT_TYPE = /^(text\/|application\/(json|xml|yaml|x-yaml|javascript|x-ndjson)|[^;]*\+(json|xml))/;
const MAX_TEXT_PREVIEW = 256 * 1024;

// The body's own Content-Type decides the preview; the key's extension only avoids fetching
// an image twice.
function objectPreview(bucketName, object) {
  const key = field(object, "key", "Key");
  const size = Number(field(object, "size", "Size"));
  const src = url(`s3/buckets/${enc(bucketName)}/object`, { key });
  const box = h("div", { class: "preview", "data-test": "object-preview" });
  const facts = keyValues([
    ["Size", Number.isNaN(size) ? undefined : bytes(size)],
    ["ETag", field(object, "etag", "ETag")],
    ["Last modified", time(field(object, "last_modified", "LastModified")) || undefined],
  ]);
  const typeLine = h("p", { class: "muted" });
  box.append(h("h3", {}, key), facts, typeLine, h("p", {}, h("a", { href: src, download: key.split("/").pop() }, "Download")));
  const showImage = () => {
    const img = h("img", { src, alt: `preview of ${key}`, class: "image-preview" });
    const dims = h("p", { class: "muted", "data-test": "image-size" });
    img.addEventListener("load", () => { dims.textContent = `${img.naturalWidth} × ${img.naturalHeight} pixels`; });
    img.addEventListener("error", () => { dims.textContent = "The browser cannot show this image."; });
    box.append(img, dims);
  };
  if (IMAGE_KEY.test(key)) { showImage(); return box; }
  if (size > MAX_TEXT_PREVIEW) { box.append(h("p", { class: "muted" }, "Too large to preview; download it.")); return box; }
  const pre = h("pre", { class: "code" }, "Loading…");
  fetch(src).then(async (response) => {
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    const type = response.headers.get("content-type") || "";
    typeLine.textContent = type;
    if (type.startsWith("image/")) { showImage(); return; }
    if (TEXT_TYPE.test(type)) { box.append(pre); pre.textContent = pretty(await response.text()); return; }
    const text = new TextDecoder("utf-8", { fatal: false }).decode(await response.arrayBuffer());
    if (!text.includes("\uFFFD")) { box.append(pre); pre.textContent = text; return; }
    box.append(h("p", { class: "muted" }, "Binary content: no preview."));
  }).catch((error) => box.append(errorBox(`Cannot preview: ${error.message}`)));
  return box;
}

export function bucket({ bucket: name }, query) {
  const prefix = query.prefix || "";
  const goTo = (value) => { location.hash = `#/s3/${enc(name)}${value ? `?prefix=${enc(value)}` : ""}`; };
  const preview = h("div", { class: "detail-pane" }, h("p", { class: "muted" }, "Select an object to preview it."));
  const folders = h("div", { class: "chips" });
  const form = h("form", { class: "inline", onsubmit: (ev) => {
    ev.preventDefault();
    goTo(String(new FormData(ev.target).get("prefix") || ""));
  } }, h("label", {}, "Prefix ", h("input", { name: "prefix", value: prefix, placeholder: "cats/" })),
  h("button", { type: "submit" }, "Filter"));
  const up = prefix ? prefix.replace(/[^/]*\/?$/, "") : null;
  const list = pagedTable({
    path: `s3/buckets/${enc(name)}/objects`,
    params: { prefix, delimiter: "/" },
    onPage: (body) => {
      for (const p of body?.prefixes || []) {
        folders.append(h("a", { class: "chip", href: `#/s3/${enc(name)}?prefix=${enc(p)}`, "data-test": `folder-${p}` }, `📁 ${p}`));
      }
    },
    columns: [
      { label: "Key", render: (o) => field(o, "key", "Key") },
      { label: "Size", render: (o) => bytes(field(o, "size", "Size")) },
      { label: "Modified", render: (o) => time(field(o, "last_modified", "LastModified")) },
    ],
    rowTest: (o) => `object-${field(o, "key", "Key")}`,
    onRow: (o, row) => {
      for (const r of row.parentNode.children) r.classList.remove("selected");
      row.classList.add("selected");
      clear(preview).append(objectPreview(name, o));
    },
    empty: prefix ? `No objects directly under ${prefix}.` : "No objects at the top level.",
  });
  return h("div", {}, crumbs(["S3 buckets", "#/s3"], name), pageHeader(name, form),
    up !== null ? h("p", {}, h("a", { href: `#/s3/${enc(name)}${up ? `?prefix=${enc(up)}` : ""}` }, `↑ up from ${prefix}`)) : null,
    folders, h("div", { class: "split" }, h("div", { class: "list-pane" }, list), preview));
}

// -- SNS -----------------------------------------------------------------------------------

function subscriptionsOf(topic) {
  const subs = field(topic, "subscriptions", "Subscriptions") || [];
  if (!subs.length) return h("p", { class: "muted" }, "No subscriptions.");
  const attr = (sub, name) => sub.Attributes?.[name];
  return h("table", { class: "list compact" },
    h("thead", {}, h("tr", {}, ["Protocol", "Endpoint", "Filter policy", "Raw"].map((t) => h("th", {}, t)))),
    h("tbody", {}, subs.map((sub) => h("tr", {},
      h("td", {}, field(sub, "Protocol", "protocol") ?? ""),
      h("td", {}, String(field(sub, "Endpoint", "endpoint") ?? "").split(":").pop()),
      h("td", {}, short(attr(sub, "FilterPolicy") ?? "", 60)),
      h("td", {}, attr(sub, "RawMessageDelivery") === "true" ? "yes" : "")))));
}

export function topics() {
  const detail = h("div", { class: "detail-pane" }, h("p", { class: "muted" }, "Select a topic to see its subscriptions."));
  return h("div", {}, pageHeader("SNS topics"), h("div", { class: "split" }, h("div", { class: "list-pane" }, pagedTable({
    path: "sns/topics",
    columns: [{ label: "Name", render: nameOf },
      { label: "ARN", render: (t) => h("span", { class: "mono" }, field(t, "arn", "TopicArn") ?? "") },
      { label: "Subscriptions", render: (t) => String((field(t, "subscriptions", "Subscriptions") || []).length) }],
    onRow: (t) => clear(detail).append(h("h3", {}, nameOf(t)), subscriptionsOf(t),
      section("Attributes", codeBlock(field(t, "attributes", "Attributes") ?? t, "small"))),
    empty: "No topics.",
  })), detail));
}

// -- SQS -----------------------------------------------------------------------------------

export function queues() {
  return h("div", {}, pageHeader("SQS queues"), pagedTable({
    path: "sqs/queues",
    columns: [nameColumn("#/sqs"),
      { label: "Visible", render: (q) => String(field(q, "visible", "messages", "ApproximateNumberOfMessages") ?? "") },
      { label: "In flight", render: (q) => String(field(q, "in_flight", "ApproximateNumberOfMessagesNotVisible") ?? "") },
      { label: "FIFO", render: (q) => (field(q, "fifo", "FifoQueue") ? "yes" : "") },
      { label: "Dead-letter queue", render: (q) => {
        const dlq = field(q, "dead_letter_queue");
        if (!dlq) return (field(q, "dead_letter_sources") || []).length ? "is a DLQ" : "";
        const dlqName = String(dlq).split(":").pop();
        return h("a", { href: `#/sqs/${enc(dlqName)}` }, `${dlqName} after ${field(q, "max_receive_count") ?? "?"} receives`);
      } }],
    onRow: (q) => { location.hash = `#/sqs/${enc(nameOf(q))}`; },
    empty: "No queues.",
  }));
}

function messageDetail(m) {
  return h("div", {}, h("h3", {}, field(m, "message_id", "MessageId") ?? "message"),
    keyValues([
      ["State", statusBadge(field(m, "State"))],
      ["Sent", time(field(m, "SentTimestamp", "sent_at")) || undefined],
      ["Receive count", field(m, "ApproximateReceiveCount", "receive_count")],
      ["Visible at", time(field(m, "VisibleAt", "visible_at")) || undefined],
      ["Group", field(m, "MessageGroupId")],
      ["Message attributes", field(m, "MessageAttributes")],
      ["System attributes", field(m, "Attributes")],
    ]), section("Body", h("div", { "data-test": "message-body" }, codeBlock(field(m, "Body", "body") ?? ""))));
}

export function queue({ name }) {
  const detail = h("div", { class: "detail-pane" }, h("p", { class: "muted" }, "Select a message."));
  return h("div", {}, crumbs(["SQS queues", "#/sqs"], name), pageHeader(name),
    h("div", { class: "split" }, h("div", { class: "list-pane" }, pagedTable({
      path: `sqs/queues/${enc(name)}/messages`,
      columns: [{ label: "Message id", render: (m) => h("span", { class: "mono" }, short(field(m, "MessageId", "message_id") ?? "", 13)) },
        { label: "Body", render: (m) => short(field(m, "body", "Body") ?? "", 60) },
        { label: "Sent", render: (m) => time(field(m, "SentTimestamp", "sent_at")) },
        { label: "Receives", render: (m) => String(field(m, "ApproximateReceiveCount", "receive_count") ?? "") },
        { label: "State", render: (m) => field(m, "State") ?? "" }],
      onRow: (m) => clear(detail).append(messageDetail(m)),
      empty: "No messages in this queue. (This is a peek: looking does not receive.)",
    })), detail));
}

// -- DynamoDB ------------------------------------------------------------------------------

export function tables() {
  return h("div", {}, pageHeader("DynamoDB tables"), pagedTable({
    path: "dynamodb/tables",
    columns: [nameColumn("#/dynamodb"),
      { label: "Key schema", render: (t) => (field(t, "key_schema", "KeySchema") || []).map((k) => `${k.AttributeName} (${k.KeyType})`).join(", ") },
      { label: "Items", render: (t) => String(field(t, "item_count", "ItemCount") ?? "") },
      { label: "Stream", render: (t) => short(field(t, "stream_view_type", "StreamViewType", "stream") ?? "", 40) }],
    onRow: (t) => { location.hash = `#/dynamodb/${enc(nameOf(t))}`; },
    empty: "No tables.",
  }));
}

export function table({ name }) {
  const detail = h("div", { class: "detail-pane" }, h("p", { class: "muted" }, "Select a row."));
  const show = (value) => clear(detail).append(codeBlock(value));
  return h("div", {}, crumbs(["DynamoDB tables", "#/dynamodb"], name), pageHeader(name),
    h("div", { class: "split" }, h("div", { class: "list-pane" }, tabs([
      { id: "items", label: "Items", render: () => pagedTable({
        path: `dynamodb/tables/${enc(name)}/items`,
        columns: [{ label: "Item", render: (i) => short(i, 110) }],
        onRow: (i) => show(i), empty: "No items." }) },
      { id: "stream", label: "Stream records", render: () => pagedTable({
        path: `dynamodb/tables/${enc(name)}/stream`,
        columns: [{ label: "Sequence", render: (r) => String(r.dynamodb?.SequenceNumber ?? "") },
          { label: "Event", render: (r) => field(r, "eventName") ?? "" },
          { label: "Keys", render: (r) => short(r.dynamodb?.Keys ?? "", 60) },
          { label: "Created", render: (r) => time(r.dynamodb?.ApproximateCreationDateTime) }],
        onRow: (r) => show(r), empty: "No stream records (is the table's stream enabled?)." }) },
    ])), detail));
}

// -- Kinesis -------------------------------------------------------------------------------

export function streams() {
  return h("div", {}, pageHeader("Kinesis streams"), pagedTable({
    path: "kinesis/streams",
    columns: [nameColumn("#/kinesis"),
      { label: "Status", render: (s) => statusBadge(field(s, "status", "StreamStatus")) },
      { label: "Shards", render: (s) => { const all = field(s, "shards") || []; return `${all.filter((x) => x.open !== false).length} open / ${all.length}`; } },
      { label: "Mode", render: (s) => field(s, "mode") ?? "" },
      { label: "Retention (h)", render: (s) => String(field(s, "retention_hours", "RetentionPeriodHours") ?? "") }],
    onRow: (s) => { location.hash = `#/kinesis/${enc(nameOf(s))}`; },
    empty: "No streams.",
  }));
}

export async function stream({ name }, query) {
  const info = await findOne("kinesis/streams", name);
  if (!info) return h("div", {}, crumbs(["Kinesis streams", "#/kinesis"], name), errorBox(`No stream named ${name}.`));
  const shards = field(info, "shards", "Shards") || [];
  const shardId = (s) => (typeof s === "string" ? s : field(s, "id", "shard_id", "ShardId"));
  const current = query.shard || (shards.length ? shardId(shards[0]) : "");
  const detail = h("div", { class: "detail-pane" }, h("p", { class: "muted" }, "Select a record."));
  const picker = h("div", { class: "chips" }, shards.map((s) => h("a", {
    href: `#/kinesis/${enc(name)}?shard=${enc(shardId(s))}`,
    class: shardId(s) === current ? "chip current" : "chip",
  }, `${shardId(s)}${s.open === false ? " (closed)" : ""}`)));
  return h("div", {}, crumbs(["Kinesis streams", "#/kinesis"], name), pageHeader(name, statusBadge(field(info, "status", "StreamStatus"))),
    h("p", {}, "Shards: "), picker,
    h("div", { class: "split" }, h("div", { class: "list-pane" }, pagedTable({
      path: `kinesis/streams/${enc(name)}/records`, params: { shard: current },
      columns: [{ label: "Sequence", render: (r) => short(String(field(r, "sequence_number", "SequenceNumber") ?? ""), 28) },
        { label: "Partition key", render: (r) => field(r, "partition_key", "PartitionKey") ?? "" },
        { label: "Data", render: (r) => short(field(r, "Text", "text") ?? field(r, "Data", "data") ?? "", 60) },
        { label: "Arrived", render: (r) => time(field(r, "arrived_at", "ApproximateArrivalTimestamp", "at")) }],
      onRow: (r) => clear(detail).append(keyValues([
        ["Sequence number", h("span", { class: "mono" }, field(r, "SequenceNumber") ?? "")],
        ["Partition key", field(r, "PartitionKey")],
        ["Arrived", time(field(r, "ApproximateArrivalTimestamp"))],
      ]), section("Data (decoded)", codeBlock(field(r, "Text") ?? "(not text)")), section("Data (base64)", codeBlock(field(r, "Data") ?? ""))),
      empty: "No records in this shard.",
    })), detail));
}
