// The overview: counts of everything, the clock, and the latest invocations.
import { get } from "../api.js";
import { h, enc, section } from "../dom.js";
import { pagedTable, pageHeader } from "../components.js";
import { field } from "./util.js";
import { invocationColumns } from "./invocations.js";

// The tiles, in the order people look for them: [label, path into api/overview, link].
const TILES = [
  ["S3 buckets", "services.s3.buckets", "#/s3"], ["SNS topics", "services.sns.topics", "#/sns"],
  ["SNS subscriptions", "services.sns.subscriptions", "#/sns"], ["SQS queues", "services.sqs.queues", "#/sqs"],
  ["DynamoDB tables", "services.dynamodb.tables", "#/dynamodb"], ["Kinesis streams", "services.kinesis.streams", "#/kinesis"],
  ["Functions", "services.lambda.functions", "#/functions"], ["Event source mappings", "services.lambda.mappings", "#/mappings"],
  ["Invocations", "invocations.total", "#/invocations"], ["Failed invocations", "invocations.errors", "#/invocations?status=Error"],
];

function at(value, path) {
  return path.split(".").reduce((v, key) => (v && typeof v === "object" ? v[key] : undefined), value);
}

function tiles(summary) {
  return TILES.filter(([, path]) => typeof at(summary, path) === "number").map(([label, path, href]) => {
    const n = at(summary, path);
    const bad = path === "invocations.errors" && n > 0;
    return h("a", { class: `tile${bad ? " bad" : ""}`, href, "data-test": `tile-${path}` },
      h("div", { class: "num" }, n.toLocaleString()), h("div", { class: "what" }, label));
  });
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
