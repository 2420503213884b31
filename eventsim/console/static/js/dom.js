// Small DOM helpers. Text always goes in through textContent, never innerHTML, so nothing the
// simulated system stores (keys, messages, logs) can become markup in the console.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

export function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Times from the API are epoch seconds (floats) or ISO strings; the console shows local time.
export function toSeconds(at) {
  if (at === undefined || at === null || at === "") return null;
  if (typeof at === "number") return at > 1e12 ? at / 1000 : at;
  const n = Number(at);
  if (!Number.isNaN(n)) return toSeconds(n);
  const parsed = Date.parse(at);
  return Number.isNaN(parsed) ? null : parsed / 1000;
}

export function time(at) {
  const secs = toSeconds(at);
  if (secs === null) return "";
  const d = new Date(secs * 1000);
  const pad = (n, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function ms(value) {
  if (value === undefined || value === null || value === "") return "";
  const n = Number(value);
  if (Number.isNaN(n)) return String(value);
  if (n >= 10000) return `${(n / 1000).toFixed(1)} s`;
  return `${n < 10 ? n.toFixed(2) : n.toFixed(0)} ms`;
}

export function bytes(value) {
  const n = Number(value);
  if (Number.isNaN(n)) return String(value ?? "");
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function statusBadge(status) {
  const text = status === undefined || status === null ? "" : String(status);
  const tone = /success|ok|enabled|active|delivered/i.test(text) ? "good"
    : /fail|error|timeout|throttl|dropped|disabled|dead/i.test(text) ? "bad"
    : text ? "neutral" : "none";
  return h("span", { class: `badge ${tone}` }, text || "—");
}

// A JSON value for people: objects pretty-printed, strings that hold JSON decoded first.
export function pretty(value) {
  if (typeof value === "string") {
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try { return JSON.stringify(JSON.parse(trimmed), null, 2); } catch { return value; }
    }
    return value;
  }
  if (value === undefined) return "";
  return JSON.stringify(value, null, 2);
}

export function short(value, max = 80) {
  let text = typeof value === "string" ? value : JSON.stringify(value);
  if (text === undefined) text = "";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function codeBlock(value, cls = "") {
  return h("pre", { class: `code ${cls}` }, pretty(value));
}

export function link(href, text) {
  return h("a", { href }, text);
}

export function enc(part) {
  return encodeURIComponent(part);
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", {}, title), ...children);
}

export function keyValues(entries) {
  const dl = h("dl", { class: "kv" });
  for (const [key, value] of entries) {
    if (value === undefined) continue;
    const shown = value instanceof Node ? value
      : value !== null && typeof value === "object" ? codeBlock(value, "small")
      : String(value ?? "—");
    dl.append(h("dt", {}, key), h("dd", {}, shown));
  }
  return dl;
}

export function errorBox(error) {
  return h("div", { class: "error", role: "alert" }, String(error?.message ?? error));
}
