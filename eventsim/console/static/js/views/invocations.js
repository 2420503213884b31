// Invocations: the list with filters, one invocation's event, result, error and logs, and the
// trace of what caused it and what it caused.
import { get } from "../api.js";
import { h, clear, enc, ms, time, short, section, keyValues, statusBadge, codeBlock, errorBox } from "../dom.js";
import { pagedTable, pageHeader, crumbs, tabs } from "../components.js";
import { field } from "./util.js";
import { drawTrace } from "./trace.js";

export function invocationColumns({ withFunction = true } = {}) {
  return [
    { label: "Started", render: (i) => time(field(i, "started_at", "at")) },
    withFunction ? { label: "Function", render: (i) => {
      const name = field(i, "function");
      return h("a", { href: `#/functions/${enc(name)}` }, name);
    } } : null,
    { label: "Status", render: (i) => statusBadge(field(i, "status")) },
    { label: "Duration", render: (i) => ms(field(i, "duration_ms")) },
    { label: "Attempt", render: (i) => String(field(i, "attempt") ?? "") },
    { label: "Trigger", render: (i) => short(field(i, "trigger") ?? "", 56) },
    { label: "Request id", render: (i) => h("a", { href: `#/invocations/${enc(field(i, "request_id"))}`, class: "mono" },
      short(field(i, "request_id") ?? "", 14)) },
  ].filter(Boolean);
}

const STATUSES = ["", "Success", "Error", "Timeout", "Throttled", "LoopDetected"];

export function invocationsList(params, query) {
  const fn = query.function || "";
  const status = query.status || "";
  const trigger = query.trigger || "";
  const form = h("form", { class: "inline", onsubmit: (ev) => {
    ev.preventDefault();
    const data = new URLSearchParams();
    for (const [k, v] of new FormData(ev.target)) if (v) data.set(k, String(v));
    const qs = data.toString();
    location.hash = `#/invocations${qs ? `?${qs}` : ""}`;
  } },
  h("label", {}, "Function ", h("input", { name: "function", value: fn, placeholder: "any" })),
  h("label", {}, "Outcome ", h("select", { name: "status" }, STATUSES.map((s) => h("option", { value: s, selected: s === status }, s || "any")))),
  h("label", {}, "Cause starts with ", h("input", { name: "trigger", value: trigger, placeholder: "s3:ObjectCreated" })),
  h("button", { type: "submit" }, "Filter"));
  return h("div", {}, pageHeader("Invocations", form), pagedTable({
    path: "invocations", params: { function: fn, status, trigger },
    columns: invocationColumns(),
    rowTest: (i) => `invocation-${field(i, "request_id")}`,
    onRow: (i) => { location.hash = `#/invocations/${enc(field(i, "request_id"))}`; },
    empty: "No invocations match.",
  }));
}

function decoded(value) {
  if (typeof value !== "string") return value;
  try { return JSON.parse(value); } catch { return value; }
}

function traceSection(load) {
  const holder = h("div", { class: "trace-holder", "data-test": "trace" }, h("p", { class: "muted" }, "Loading trace…"));
  load().then((trace) => clear(holder).append(drawTrace(trace)))
    .catch((error) => clear(holder).append(errorBox(error)));
  return holder;
}

// A function error as Lambda reports it: type and message, then the stack as text.
function errorView(error) {
  if (!error || typeof error !== "object") return codeBlock(error, "bad");
  const stack = Array.isArray(error.stackTrace) ? error.stackTrace.join("") : error.stackTrace;
  return h("div", { "data-test": "function-error" },
    h("pre", { class: "code bad" }, `${error.errorType ?? "Error"}: ${error.errorMessage ?? ""}`,
      stack ? `\n\n${stack}` : ""));
}

function attemptView(id, inv) {
  const error = field(inv, "error");
  const logs = field(inv, "logs") ?? "";
  const name = field(inv, "function");
  const traceId = field(inv, "trace_id");
  const init = field(inv, "init_duration_ms");
  const summary = keyValues([
    ["Function", h("a", { href: `#/functions/${enc(name)}` }, name)],
    ["Status", statusBadge(field(inv, "status"))],
    ["Started", time(field(inv, "started_at"))],
    ["Duration", ms(field(inv, "duration_ms"))],
    ["Start", init != null ? `cold (init ${ms(init)})` : "warm"],
    ["Invocation type", field(inv, "invocation_type")],
    ["Attempt", field(inv, "attempt")],
    ["Trigger", field(inv, "trigger")],
    ["Hop", field(inv, "hop")],
    ["Trace", traceId ? h("a", { href: `#/traces/${enc(traceId)}`, class: "mono" }, traceId) : undefined],
    ["Request id", h("span", { class: "mono" }, field(inv, "request_id") ?? id)],
  ]);
  const view = tabs([
    { id: "trace", label: "Trace", render: () => traceSection(() => get(`invocations/${enc(id)}/trace`)) },
    { id: "logs", label: "Logs", render: () => h("pre", { class: "code logs", "data-test": "logs" }, logs || "(no log output)") },
    { id: "event", label: "Event", render: () => codeBlock(decoded(field(inv, "event", "payload"))) },
    { id: "result", label: error ? "Error" : "Result", render: () => (error
      ? errorView(error) : codeBlock(decoded(field(inv, "result", "response")) ?? "(no result)")) },
  ], "trace");
  return h("div", { class: "grid-detail" }, section("Summary", summary), h("div", { class: "card wide" }, view));
}

export async function invocationDetail({ id }, query) {
  const found = await get(`invocations/${enc(id)}`);
  // Every attempt of the request (AWS retries an event twice); the last one unless asked.
  const attempts = field(found, "attempts") || [found];
  const chosen = Math.min(Math.max(Number(query.attempt || attempts.length), 1), attempts.length);
  const inv = attempts[chosen - 1];
  const name = field(found, "function") ?? field(inv, "function");
  const picker = attempts.length > 1 ? h("div", { class: "chips" }, "Attempts: ", attempts.map((a, i) => h("a", {
    href: `#/invocations/${enc(id)}?attempt=${i + 1}`, class: i + 1 === chosen ? "chip current" : "chip",
  }, `${i + 1}: ${field(a, "status")}`))) : null;
  return h("div", {}, crumbs(["Invocations", "#/invocations"], [`function ${name}`, `#/functions/${enc(name)}`], short(id, 20)),
    pageHeader(`Invocation of ${name}`, statusBadge(field(found, "status") ?? field(inv, "status"))),
    picker, attemptView(id, inv));
}

export function traceView({ id }) {
  return h("div", {}, crumbs(["Invocations", "#/invocations"], `trace ${short(id, 24)}`),
    pageHeader("Trace"), h("p", { class: "mono muted" }, id),
    section("Causal chain", traceSection(() => get(`traces/${enc(id)}`))));
}
