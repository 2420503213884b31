// The live feed: invocations and writes as they happen, over server-sent events (api/feed),
// filtered by service, function and outcome on the server.
import { url, page } from "../api.js";
import { h, clear, enc, ms, time, short, statusBadge } from "../dom.js";
import { pageHeader } from "../components.js";
import { field } from "./util.js";

const MAX_ROWS = 500;
const SERVICES = ["", "s3", "sns", "sqs", "dynamodb", "kinesis", "lambda"];
const OUTCOMES = ["", "Success", "Error", "Timeout", "Throttled", "LoopDetected"];

function invocationRow(item, earlier = false) {
  const id = field(item, "request_id", "id");
  const name = field(item, "function");
  return h("tr", { class: earlier ? "feed-invocation earlier" : "feed-invocation",
    "data-test": `feed-${earlier ? "earlier" : "invocation"}-${name}`, "data-request-id": id },
    h("td", {}, time(field(item, "started_at", "at")) || time(Date.now() / 1000)),
    h("td", {}, h("span", { class: "kind" }, "λ invocation")),
    h("td", {}, h("a", { href: `#/functions/${enc(name)}` }, name)),
    h("td", {}, short(field(item, "trigger") ?? "", 60)),
    h("td", {}, statusBadge(field(item, "status")), " ", ms(field(item, "duration_ms"))),
    h("td", {}, h("a", { href: `#/invocations/${enc(id)}`, "data-test": "open-invocation" }, "details"),
      field(item, "trace_id") ? [" · ", h("a", { href: `#/traces/${enc(field(item, "trace_id"))}` }, "trace")] : null));
}

function writeRow(item) {
  const service = field(item, "service") ?? "";
  const what = [field(item, "kind", "operation"), field(item, "resource")].filter(Boolean).join(" ");
  const trace = field(item, "trace_id");
  return h("tr", { class: "feed-write", "data-test": `feed-write-${service}` },
    h("td", {}, time(field(item, "at", "created_at")) || time(Date.now() / 1000)),
    h("td", {}, h("span", { class: "kind" }, "✎ write")),
    h("td", {}, service),
    h("td", {}, short(what || item, 60)),
    h("td", { class: "muted" }, "by a handler"),
    h("td", {}, trace ? h("a", { href: `#/traces/${enc(trace)}` }, "trace") : ""));
}

export function feed(params, query) {
  const filters = { service: query.service || "", function: query.function || "", status: query.status || "" };
  const rows = h("tbody");
  const state = h("span", { class: "conn", "data-test": "feed-state" }, "connecting…");
  const counter = h("span", { class: "muted" }, "");
  let paused = false;
  let seen = 0;
  let source = null;

  const shown = new Set();
  const add = (row, seq) => {
    if (seq !== undefined) {
      if (shown.has(seq)) return;
      shown.add(seq);
    }
    seen += 1;
    counter.textContent = `${seen} event(s)`;
    if (paused) return;
    rows.prepend(row);
    while (rows.children.length > MAX_ROWS) rows.lastChild.remove();
  };
  // What happened just before the page opened, greyed, below the live rows; the feed itself
  // only carries what is recorded after it connects.
  const backfill = async () => {
    const trigger = filters.service && filters.service !== "lambda" ? filters.service : "";
    if (filters.service === "lambda") return;
    try {
      const recent = await page("invocations", { limit: 20, function: filters.function, status: filters.status, trigger });
      for (const item of recent.items) {
        const seq = field(item, "seq");
        if (shown.has(seq)) continue;
        shown.add(seq);
        rows.append(invocationRow(item, true));
      }
    } catch { /* the live rows still come */ }
  };
  const connect = () => {
    if (source) source.close();
    shown.clear();
    source = new EventSource(url("feed", filters));
    source.addEventListener("open", () => { state.textContent = "live"; state.className = "conn live"; });
    backfill();
    source.addEventListener("error", () => {
      state.textContent = source.readyState === EventSource.CLOSED ? "closed" : "reconnecting…";
      state.className = "conn down";
    });
    source.addEventListener("invocation", (ev) => {
      const item = JSON.parse(ev.data);
      add(invocationRow(item), field(item, "seq"));
    });
    source.addEventListener("write", (ev) => add(writeRow(JSON.parse(ev.data))));
    source.addEventListener("lagged", (ev) => add(h("tr", { class: "feed-lagged" }, h("td", { colspan: 6 },
      h("div", { class: "error" }, `${JSON.parse(ev.data).message ?? "Events were missed."} The Invocations page has them all.`)))));
  };
  const form = h("form", { class: "inline", onchange: (ev) => {
    const data = new FormData(ev.currentTarget);
    for (const key of Object.keys(filters)) filters[key] = String(data.get(key) || "");
    const qs = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
    history.replaceState(null, "", `#/feed${qs ? `?${qs}` : ""}`);
    clear(rows);
    connect();
  }, onsubmit: (ev) => ev.preventDefault() },
  h("label", {}, "Service ", h("select", { name: "service" }, SERVICES.map((v) => h("option", { value: v, selected: v === filters.service }, v || "any")))),
  h("label", {}, "Function ", h("input", { name: "function", value: filters.function, placeholder: "any" })),
  h("label", {}, "Outcome ", h("select", { name: "status" }, OUTCOMES.map((v) => h("option", { value: v, selected: v === filters.status }, v || "any")))),
  h("button", { type: "button", onclick: (ev) => { paused = !paused; ev.target.textContent = paused ? "Resume" : "Pause"; } }, "Pause"),
  h("button", { type: "button", onclick: () => clear(rows) }, "Clear"));
  connect();
  const node = h("div", {}, pageHeader("Live feed", state, counter), form,
    h("table", { class: "list feed", "data-test": "feed" },
      h("thead", {}, h("tr", {}, ["Time", "Kind", "Service / function", "What", "Outcome", ""].map((t) => h("th", {}, t)))), rows),
    h("p", { class: "muted" }, `Newest first; the last ${MAX_ROWS} are kept. Greyed rows happened before this page connected.`));
  return { node, dispose: () => source && source.close() };
}
