// The topology: sources (buckets, topics, queues, tables, streams), mappings and functions,
// laid out left to right by how far each is from a source, with an arrow per delivery path.
import { get } from "../api.js";
import { h, s, enc, short } from "../dom.js";
import { pageHeader } from "../components.js";

const BOX_W = 200;
const BOX_H = 44;
const GAP_X = 90;
const GAP_Y = 22;

function layers(nodes, edges) {
  const ids = nodes.map((n) => n.id);
  const incoming = new Map(ids.map((id) => [id, 0]));
  const out = new Map(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (!out.has(e.from) || !incoming.has(e.to)) continue;
    out.get(e.from).push(e.to);
    incoming.set(e.to, incoming.get(e.to) + 1);
  }
  // Longest path from a source, bounded by the node count so a loop cannot run away.
  const layer = new Map(ids.map((id) => [id, 0]));
  for (let pass = 0; pass < ids.length; pass += 1) {
    let changed = false;
    for (const e of edges) {
      if (!layer.has(e.from) || !layer.has(e.to) || e.from === e.to) continue;
      if (layer.get(e.to) < layer.get(e.from) + 1 && layer.get(e.from) + 1 < ids.length) {
        layer.set(e.to, layer.get(e.from) + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

function hrefOf(node) {
  const name = node.name ?? node.label ?? node.id;
  switch (node.kind) {
    case "function": return `#/functions/${enc(name)}`;
    case "bucket": return `#/s3/${enc(name)}`;
    case "queue": return `#/sqs/${enc(name)}`;
    case "table": return `#/dynamodb/${enc(name)}`;
    case "stream": return `#/kinesis/${enc(name)}`;
    case "table_stream": return `#/dynamodb/${enc(String(name).replace(/ stream$/, ""))}`;
    case "topic": return "#/sns";
    case "mapping": return "#/mappings";
    default: return null;
  }
}

const KIND_TEXT = { function: "λ function", bucket: "S3 bucket", queue: "SQS queue", table: "DynamoDB table",
  stream: "Kinesis stream", topic: "SNS topic", table_stream: "DynamoDB stream", endpoint: "endpoint" };

export function drawTopology(graph) {
  const nodes = graph.nodes || [];
  const edges = graph.edges || [];
  if (!nodes.length) return h("p", { class: "muted" }, "Nothing to draw yet: no resources or functions.");
  const layer = layers(nodes, edges);
  const columns = [];
  for (const node of nodes) {
    const l = layer.get(node.id) ?? 0;
    (columns[l] ||= []).push(node);
  }
  // Fewer crossings: sources that feed something first, each later node near its sources.
  const preds = new Map(nodes.map((n) => [n.id, []]));
  for (const e of edges) if (preds.has(e.to) && e.from !== e.to) preds.get(e.to).push(e.from);
  const feeds = new Set(edges.map((e) => e.from));
  const rank = new Map();
  columns.forEach((col, c) => {
    if (!col) return;
    const score = (n) => {
      if (c === 0) return feeds.has(n.id) ? 0 : 1;
      const ranks = preds.get(n.id).map((p) => rank.get(p)).filter((r) => r !== undefined);
      return ranks.length ? ranks.reduce((a, b) => a + b, 0) / ranks.length : Infinity;
    };
    col.sort((a, b) => score(a) - score(b));
    col.forEach((n, r) => rank.set(n.id, r));
  });
  const pos = new Map();
  columns.forEach((col, c) => (col || []).forEach((node, r) => {
    pos.set(node.id, { x: 20 + c * (BOX_W + GAP_X), y: 20 + r * (BOX_H + GAP_Y) });
  }));
  const colOf = (id) => layer.get(id) ?? 0;
  const bottomOf = (c) => 20 + (columns[c] || []).length * (BOX_H + GAP_Y) - GAP_Y;
  // An edge that skips a column runs in a lane below the columns it passes, not through them.
  let lanes = 0;
  const laneY = new Map();
  for (const e of edges) {
    const from = colOf(e.from);
    const to = colOf(e.to);
    if (!pos.has(e.from) || !pos.has(e.to) || to <= from + 1) continue;
    let floor = 0;
    for (let c = from + 1; c < to; c += 1) floor = Math.max(floor, bottomOf(c));
    laneY.set(e, floor + 18 + lanes * 12);
    lanes += 1;
  }
  const width = 40 + columns.length * (BOX_W + GAP_X) - GAP_X;
  const height = Math.max(40 + Math.max(...columns.map((c) => (c || []).length)) * (BOX_H + GAP_Y) - GAP_Y,
    ...[...laneY.values()].map((y) => y + 24));
  const svg = s("svg", { viewBox: `0 0 ${width} ${height}`, class: "topology", role: "img",
    width, height, "aria-label": `Topology: ${nodes.length} nodes, ${edges.length} connections` });
  svg.append(s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5,
    markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "arrowhead" }))));
  for (const e of edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const x1 = a.x + BOX_W;
    const y1 = a.y + BOX_H / 2;
    const x2 = b.x;
    const y2 = b.y + BOX_H / 2;
    const lane = laneY.get(e);
    let d;
    let label;
    if (lane !== undefined) {
      d = `M ${x1} ${y1} C ${x1 + 40} ${y1}, ${x1 + 40} ${lane}, ${x1 + 80} ${lane} L ${x2 - 80} ${lane} C ${x2 - 40} ${lane}, ${x2 - 40} ${y2}, ${x2} ${y2}`;
      label = [(x1 + x2) / 2, lane - 4];
    } else if (x2 > x1) {
      d = `M ${x1} ${y1} C ${x1 + GAP_X / 2} ${y1}, ${x2 - GAP_X / 2} ${y2}, ${x2} ${y2}`;
      label = [(x1 + x2) / 2, (y1 + y2) / 2 - 4];
    } else {
      d = `M ${a.x + BOX_W / 2} ${a.y + BOX_H} C ${a.x + BOX_W / 2} ${a.y + BOX_H + 40}, ${b.x + BOX_W / 2} ${b.y + BOX_H + 40}, ${b.x + BOX_W / 2} ${b.y + BOX_H}`;
      label = null;
    }
    const path = s("path", { d, class: `link ${e.kind ?? ""}`, "marker-end": "url(#arrow)" });
    path.append(s("title", {}, [e.kind, e.label].filter(Boolean).join(": ")));
    svg.append(path);
    if (e.kind && label) {
      svg.append(s("text", { x: label[0], y: label[1], class: "edge-label", "text-anchor": "middle" }, e.kind.replaceAll("_", " ")));
    }
  }
  for (const node of nodes) {
    const p = pos.get(node.id);
    const label = node.label ?? node.name ?? node.id;
    const g = s("g", { class: `topo-node kind-${node.kind}`, transform: `translate(${p.x} ${p.y})`, "data-test": `topo-${node.kind}` });
    g.append(s("rect", { width: BOX_W, height: BOX_H, rx: 6 }),
      s("text", { x: 10, y: 17, class: "kind" }, KIND_TEXT[node.kind] || node.kind || ""),
      s("text", { x: 10, y: 35, class: "name" }, short(String(label), 24)),
      s("title", {}, `${node.kind}: ${label}`));
    const href = hrefOf(node);
    if (href) {
      const a = s("a", { href });
      a.append(g);
      svg.append(a);
    } else {
      svg.append(g);
    }
  }
  return h("div", { class: "topology-scroll" }, svg);
}

export async function topology() {
  const graph = await get("topology");
  return h("div", {}, pageHeader("Topology"),
    h("p", { class: "muted" }, "Sources on the left; each arrow is a delivery path (notification, subscription, mapping, destination). Click a box to open it."),
    h("div", { class: "card" }, drawTopology(graph)));
}
