// Functions: configuration, recent invocations (with their logs, results and errors).
import { get } from "../api.js";
import { h, enc, section, keyValues } from "../dom.js";
import { pagedTable, pageHeader, crumbs } from "../components.js";
import { field, nameOf } from "./util.js";
import { invocationColumns } from "./invocations.js";

export function functionsList() {
  return h("div", {}, pageHeader("Functions"), pagedTable({
    path: "functions",
    columns: [
      { label: "Name", render: (f) => h("a", { href: `#/functions/${enc(nameOf(f))}` }, nameOf(f)) },
      { label: "Runtime", render: (f) => field(f, "runtime", "Runtime") ?? "" },
      { label: "Handler", render: (f) => field(f, "handler", "Handler") ?? "" },
      { label: "Timeout", render: (f) => String(field(f, "timeout", "Timeout") ?? "") },
      { label: "Memory", render: (f) => String(field(f, "memory_size", "MemorySize") ?? "") },
      { label: "Kind", render: (f) => field(f, "runtime_kind") ?? "" },
      { label: "Invocations", render: (f) => String(field(f, "invocations") ?? "") },
    ],
    rowTest: (f) => `function-${nameOf(f)}`,
    onRow: (f) => { location.hash = `#/functions/${enc(nameOf(f))}`; },
    empty: "No functions. Load a scenario (eventsim serve --load FILE) or create one with boto3.",
  }));
}

function seconds(n) {
  if (n >= 3600 && n % 3600 === 0) return `${n / 3600} h (${n} s)`;
  if (n >= 60 && n % 60 === 0) return `${n / 60} min (${n} s)`;
  return `${n} s`;
}

function arnLabel(arn) {
  if (!arn) return undefined;
  const name = String(arn).split(":").pop();
  if (String(arn).startsWith("arn:aws:sqs:")) return h("a", { href: `#/sqs/${enc(name)}` }, `sqs ${name}`);
  if (String(arn).startsWith("arn:aws:lambda:")) return h("a", { href: `#/functions/${enc(name)}` }, `λ ${name}`);
  return String(arn);
}

export async function functionDetail({ name }) {
  const fn = await get(`functions/${enc(name)}`);
  const config = field(fn, "configuration") ?? {};
  const env = config.Environment?.Variables;
  const retries = field(fn, "retries") ?? {};
  const destinations = field(fn, "destinations") ?? {};
  const mappings = field(fn, "mappings") || [];
  return h("div", {}, crumbs(["Functions", "#/functions"], name),
    pageHeader(name, h("span", { class: "muted" }, `${field(fn, "invocation_count") ?? 0} invocations, ${field(fn, "error_count") ?? 0} errors`)),
    h("div", { class: "grid3" },
      section("Configuration", keyValues([
        ["Runtime", config.Runtime], ["Handler", config.Handler], ["Timeout", config.Timeout != null ? `${config.Timeout} s` : undefined],
        ["Memory", config.MemorySize != null ? `${config.MemorySize} MB` : undefined],
        ["Reserved concurrency", field(fn, "reserved_concurrency") ?? "unreserved"],
        ["State", config.State], ["Last modified", config.LastModified],
        ["ARN", config.FunctionArn ? h("span", { class: "mono" }, config.FunctionArn) : undefined],
      ])),
      section("Asynchronous events", keyValues([
        ["Retries", retries.maximum_retry_attempts ?? 2],
        ["Maximum event age", retries.maximum_event_age != null ? seconds(retries.maximum_event_age) : "6 h"],
        ["Dead-letter queue", arnLabel(field(fn, "dead_letter_queue")) ?? "none"],
        ["On success", arnLabel(destinations.on_success) ?? "none"],
        ["On failure", arnLabel(destinations.on_failure) ?? "none"],
      ])),
      section("Environment", env && Object.keys(env).length ? keyValues(Object.entries(env)) : h("p", { class: "muted" }, "No variables."))),
    mappings.length ? section("Event source mappings", h("ul", {}, mappings.map((m) => h("li", {},
      h("a", { href: "#/mappings" }, String(m.EventSourceArn ?? "").split(":").pop()), ` ${m.State ?? ""}, batch ${m.BatchSize ?? ""}`)))) : null,
    section("Recent invocations", pagedTable({
      path: "invocations", params: { function: name }, limit: 20,
      columns: invocationColumns({ withFunction: false }),
      rowTest: (i) => `invocation-${field(i, "request_id")}`,
      onRow: (i) => { location.hash = `#/invocations/${enc(field(i, "request_id"))}`; },
      empty: "Not invoked yet.",
    })));
}
