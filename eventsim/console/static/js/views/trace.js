// A trace drawn as a waterfall (HTML and CSS): one row per node (the originating write or
// event, each invocation, each write a handler made, each outcome), indented under its cause,
// with a bar placed on the trace's time axis, its offset, duration and outcome.
import { h, enc, ms, toSeconds } from "../dom.js";

const KIND_MARK = { origin: "⚡", invocation: "λ", write: "✎", outcome: "⤳" };

function tone(status) {
  const text = String(status ?? "");
  if (/success|ok|delivered|^$/i.test(text)) return text ? "good" : "neutral";
  if (/fail|error|timeout|throttl|dropped|loop/i.test(text)) return "bad";
  return "neutral";
}

// Nodes in causal order: each root by time, then depth-first its effects by time.
export function order(trace) {
  const nodes = trace.nodes || [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map();
  const hasParent = new Set();
  for (const edge of trace.edges || []) {
    if (!byId.has(edge.from) || !byId.has(edge.to)) continue;
    if (!children.has(edge.from)) children.set(edge.from, []);
    children.get(edge.from).push(edge.to);
    hasParent.add(edge.to);
  }
  const at = (id) => atOf(byId.get(id)) ?? 0;
  const out = [];
  const seen = new Set();
  const visit = (id, depth, parent) => {
    if (seen.has(id)) return;
    seen.add(id);
    out.push({ node: byId.get(id), depth, parent });
    for (const child of (children.get(id) || []).sort((a, b) => at(a) - at(b))) visit(child, depth + 1, id);
  };
  const roots = nodes.filter((n) => !hasParent.has(n.id)).map((n) => n.id).sort((a, b) => at(a) - at(b));
  for (const id of roots) visit(id, 0, null);
  for (const n of nodes) visit(n.id, 0, null); // a cycle has no root; show it anyway
  return out;
}

// at_epoch keeps the number the ISO `at` was made from.
function atOf(node) {
  return toSeconds(node.at_epoch ?? node.at);
}

function hrefOf(node) {
  return node.kind === "invocation" ? `#/invocations/${enc(node.request_id ?? node.id)}` : null;
}

// Percent of the track; the track stretches with its card, the text stays its own size.
function pct(value) {
  return `${Math.max(0, Math.min(100, value)).toFixed(3)}%`;
}

export function drawTrace(trace) {
  const rows = order(trace);
  if (!rows.length) return h("p", { class: "muted" }, "This trace has no nodes.");
  const starts = rows.map((r) => atOf(r.node) ?? 0);
  const t0 = Math.min(...starts);
  // A cold invocation's init phase runs first, then its duration (as Lambda reports them).
  const initOf = (node) => Number(node.init_ms) || 0;
  const t1 = Math.max(...rows.map((r, i) => starts[i] + (initOf(r.node) + (Number(r.node.duration_ms) || 0)) / 1000));
  const span = Math.max(t1 - t0, 0.001);
  const axis = h("div", { class: "wf-track wf-axis" });
  for (let i = 0; i <= 2; i += 1) {
    const tick = h("span", { class: "wf-tick" }, `+${ms((span * 1000 * i) / 2)}`);
    tick.style.left = pct((100 * i) / 2);
    if (i === 2) tick.classList.add("last");
    axis.append(tick);
  }
  const box = h("div", { class: "waterfall", role: "table", "aria-label": `Trace with ${rows.length} steps over ${ms(span * 1000)}` },
    h("div", { class: "wf-row wf-head", role: "row" }, h("div", { class: "wf-label" }, "Step (indented under its cause)"), axis));
  rows.forEach((row, i) => {
    const node = row.node;
    const offset = (starts[i] - t0) * 1000;
    const dur = Number(node.duration_ms) || 0;
    const href = hrefOf(node);
    const text = String(node.label ?? node.id);
    const label = h("div", { class: "wf-label", title: `${node.kind}${node.service ? ` (${node.service})` : ""}: ${text}` },
      row.depth ? h("span", { class: "wf-elbow" }, "└ ") : null,
      h("span", { class: "wf-mark" }, KIND_MARK[node.kind] || "•"), " ",
      href ? h("a", { href }, text) : h("span", {}, text));
    label.style.paddingLeft = `${8 + row.depth * 18}px`;
    const track = h("div", { class: "wf-track" });
    const init = initOf(node);
    const start = (100 * offset) / (span * 1000);
    const left = (100 * (offset + init)) / (span * 1000);
    if (init > 0) {
      const phase = h("span", { class: "wf-init", title: `init ${ms(init)} (cold start)` });
      phase.style.left = pct(start);
      phase.style.width = `max(2px, ${pct(left - start)})`;
      track.append(phase);
    }
    const mark = h("span", { class: dur > 0 ? "wf-bar" : "wf-point" });
    mark.style.left = pct(left);
    if (dur > 0) mark.style.width = `max(3px, ${pct((100 * dur) / (span * 1000))})`;
    const note = h("span", { class: "wf-note" }, [`+${ms(offset)}`, init > 0 ? `init ${ms(init)}` : null, dur > 0 ? ms(dur) : null, node.status ?? (node.kind === "write" ? "written" : null)]
      .filter(Boolean).join(" · "));
    // Notes sit right of the mark, or left of it when the mark is near the end; a mark
    // that fills the track from its start leaves room for neither, so the note goes inside.
    const end = left + (100 * dur) / (span * 1000);
    if (end <= 62) {
      note.style.left = `calc(${pct(end)} + 8px)`;
    } else if (start >= 38) {
      note.classList.add("before"); note.style.right = pct(100 - start);
    } else {
      note.classList.add("inside"); note.style.left = `calc(${pct(left)} + 6px)`;
    }
    track.append(mark, note);
    box.append(h("div", { class: `wf-row ${tone(node.status)} kind-${node.kind}`, role: "row", "data-test": `trace-node-${node.kind}` }, label, track));
  });
  return h("div", { class: "trace-view" }, box,
    trace.truncated ? h("p", { class: "muted" }, "This trace is larger than the console draws; it is cut.") : null);
}
