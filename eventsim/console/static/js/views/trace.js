// A trace drawn as a waterfall: one row per node (the originating write or event, each
// invocation, each write a handler made), indented under its cause, with a bar placed on the
// trace's time axis, its duration and its outcome; below it, the same as a table.
import { h, s, enc, ms, short, statusBadge, toSeconds } from "../dom.js";

const ROW = 30;
const LABEL_W = 420;
const BAR_X = 440;
const BAR_W = 520;
const WIDTH = BAR_X + BAR_W + 120;

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

export function drawTrace(trace) {
  const rows = order(trace);
  if (!rows.length) return h("p", { class: "muted" }, "This trace has no nodes.");
  const starts = rows.map((r) => atOf(r.node) ?? 0);
  const t0 = Math.min(...starts);
  const t1 = Math.max(...rows.map((r, i) => starts[i] + (Number(r.node.duration_ms) || 0) / 1000));
  const span = Math.max(t1 - t0, 0.001);
  const xOf = (secs) => BAR_X + ((secs - t0) / span) * BAR_W;
  const height = rows.length * ROW + 34;
  const svg = s("svg", { viewBox: `0 0 ${WIDTH} ${height}`, class: "trace", role: "img",
    "aria-label": `Trace with ${rows.length} steps over ${ms(span * 1000)}` });
  // Time axis: five ticks, offsets from the first node.
  for (let i = 0; i <= 4; i += 1) {
    const x = BAR_X + (BAR_W * i) / 4;
    svg.append(s("line", { x1: x, y1: 18, x2: x, y2: height, class: "tick" }),
      s("text", { x, y: 12, class: "tick-label", "text-anchor": "middle" }, `+${ms((span * 1000 * i) / 4)}`));
  }
  const rowIndex = new Map(rows.map((r, i) => [r.node.id, i]));
  rows.forEach((row, i) => {
    const y = 24 + i * ROW;
    const mid = y + ROW / 2;
    const node = row.node;
    const start = starts[i];
    const dur = Number(node.duration_ms) || 0;
    const x = xOf(start);
    const href = hrefOf(node);
    const g = s("g", { class: `trace-row ${tone(node.status)} kind-${node.kind}`, "data-test": `trace-node-${node.kind}` });
    if (i % 2 === 0) g.append(s("rect", { x: 0, y, width: WIDTH, height: ROW, class: "stripe" }));
    if (row.parent !== null && rowIndex.has(row.parent)) {
      const p = rowIndex.get(row.parent);
      const px = 12 + rows[p].depth * 18;
      g.append(s("path", { d: `M ${px} ${24 + p * ROW + ROW / 2 + 8} V ${mid} H ${12 + row.depth * 18 - 4}`, class: "edge" }));
    }
    const labelX = 12 + row.depth * 18;
    g.append(s("text", { x: labelX, y: mid + 5, class: "mark" }, KIND_MARK[node.kind] || "•"));
    const label = `${node.service ? `${node.service} ` : ""}${node.label ?? node.id}`;
    const text = s("text", { x: labelX + 16, y: mid + 5, class: "label" }, short(label, Math.max(20, 56 - row.depth * 2)));
    text.append(s("title", {}, `${node.kind}: ${label}`));
    if (href) {
      const a = s("a", { href });
      a.append(text);
      g.append(a);
    } else {
      g.append(text);
    }
    if (dur > 0) {
      const w = Math.max(3, (dur / 1000 / span) * BAR_W);
      g.append(s("rect", { x, y: y + 7, width: w, height: ROW - 14, rx: 3, class: "bar" }));
      const tx = x + w + 6 > BAR_X + BAR_W - 10 ? x - 6 : x + w + 6;
      g.append(s("text", { x: tx, y: mid + 4, class: "dur", "text-anchor": tx < x ? "end" : "start" },
        `${ms(dur)}${node.status ? ` · ${node.status}` : ""}`));
    } else {
      g.append(s("path", { d: `M ${x} ${mid - 6} l 6 6 l -6 6 l -6 -6 z`, class: "bar" }));
      g.append(s("text", { x: x + 10, y: mid + 4, class: "dur" }, node.status ? String(node.status) : "event"));
    }
    svg.append(g);
  });
  const table = h("table", { class: "list compact" },
    h("thead", {}, h("tr", {}, ["Step", "Kind", "Service", "At", "Duration", "Outcome"].map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.map((row, i) => {
      const href = hrefOf(row.node);
      const label = row.node.label ?? row.node.id;
      return h("tr", {},
        h("td", { style: undefined }, "\u00a0".repeat(row.depth * 3), href ? h("a", { href }, label) : label),
        h("td", {}, row.node.kind ?? ""), h("td", {}, row.node.service ?? ""),
        h("td", {}, `+${ms((starts[i] - t0) * 1000)}`), h("td", {}, ms(row.node.duration_ms)),
        h("td", {}, statusBadge(row.node.status)));
    })));
  return h("div", { class: "trace-view" }, h("div", { class: "trace-scroll" }, svg), table);
}
