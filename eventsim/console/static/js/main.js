// The console: a hash router over the views. Every view is a function (params, query) that
// returns a Node (or a promise of one); one that holds a connection returns a dispose() too.
import { h, clear, errorBox } from "./dom.js";
import { mountClock } from "./views/clock.js";
import { overview } from "./views/overview.js";
import { buckets, bucket, topics, queues, queue, tables, table, streams, stream } from "./views/resources.js";
import { functionsList, functionDetail } from "./views/functions.js";
import { invocationsList, invocationDetail, traceView } from "./views/invocations.js";
import { mappings, destinations } from "./views/mappings.js";
import { topology } from "./views/topology.js";
import { feed } from "./views/feed.js";
import { inject } from "./views/inject.js";

const ROUTES = [
  ["", overview, "overview"],
  ["feed", feed, "feed"],
  ["inject", inject, "inject"],
  ["functions", functionsList, "functions"],
  ["functions/:name", functionDetail, "functions"],
  ["invocations", invocationsList, "invocations"],
  ["invocations/:id", invocationDetail, "invocations"],
  ["traces/:id", traceView, "invocations"],
  ["mappings", mappings, "mappings"],
  ["destinations", destinations, "destinations"],
  ["topology", topology, "topology"],
  ["s3", buckets, "s3"],
  ["s3/:bucket", bucket, "s3"],
  ["sns", topics, "sns"],
  ["sqs", queues, "sqs"],
  ["sqs/:name", queue, "sqs"],
  ["dynamodb", tables, "dynamodb"],
  ["dynamodb/:name", table, "dynamodb"],
  ["kinesis", streams, "kinesis"],
  ["kinesis/:name", stream, "kinesis"],
];

function match(path) {
  const parts = path.split("/").filter(Boolean);
  for (const [pattern, view, sectionName] of ROUTES) {
    const want = pattern.split("/").filter(Boolean);
    if (want.length !== parts.length) continue;
    const params = {};
    if (want.every((p, i) => (p.startsWith(":") ? (params[p.slice(1)] = decodeURIComponent(parts[i]), true) : p === parts[i]))) {
      return { view, params, sectionName };
    }
  }
  return null;
}

const viewRoot = document.getElementById("view");
let dispose = null;
let generation = 0;

async function route() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, qs = ""] = raw.split("?");
  const query = Object.fromEntries(new URLSearchParams(qs));
  if (dispose) { try { dispose(); } catch { /* a closed feed */ } dispose = null; }
  const mine = ++generation;
  const found = match(path);
  for (const a of document.querySelectorAll("[data-section]")) {
    a.classList.toggle("current", Boolean(found) && a.dataset.section === found.sectionName);
  }
  clear(viewRoot).append(h("p", { class: "muted" }, "Loading…"));
  if (!found) {
    clear(viewRoot).append(h("h1", {}, "Not found"), h("p", {}, `No view at #/${path}.`));
    return;
  }
  try {
    const result = await found.view(found.params, query);
    if (mine !== generation) { result?.dispose?.(); return; }
    const node = result instanceof Node ? result : result.node;
    dispose = result instanceof Node ? null : result.dispose || null;
    clear(viewRoot).append(node);
    viewRoot.focus({ preventScroll: true });
  } catch (error) {
    if (mine === generation) clear(viewRoot).append(errorBox(error));
  }
}

export function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

window.addEventListener("hashchange", route);
mountClock(document.getElementById("clock"));
route();
