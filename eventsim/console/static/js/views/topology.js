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
  const pos = new Map();
  columns.forEach((col, c) => col.forEach((node, r) => {
    pos.set(node.id, { x: 20 + c * (BOX_W + GAP_X), y: 20 + r * (BOX_H + GAP_Y) });
  }));
  const width = 40 + columns.length * (BOX_W + GAP_X) - GAP_X;
  const height = 40 + Math.max(...columns.map((c) => (c || []).length)) * (BOX_H + GAP_Y) - GAP_Y;
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
    const d = x2 > x1 ? `M ${x1} ${y1} C ${x1 + GAP_X / 2} ${y1}, ${x2 - GAP_X / 2} ${y2}, ${x2} ${y2}`
      : `M ${a.x + BOX_W / 2} ${a.y + BOX_H} C ${a.x + BOX_W / 2} ${a.y + BOX_H + 40}, ${b.x + BOX_W / 2} ${b.y + BOX_H + 40}, ${b.x + BOX_W / 2} ${b.y + BOX_H}`;
    const path = s("path", { d, class: `link ${e.kind ?? ""}`, "marker-end": "url(#arrow)" });
    path.append(s("title", {}, [e.kind, e.label].filter(Boolean).join(": ")));
    svg.append(path);
    if (e.kind && x2 > x1) {
      svg.append(s("text", { x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, class: "edge-label", "text-anchor": "middle" }, e.kind.replaceAll("_", " ")));
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
