// Lists that page through the API with a "More" button, and the tabs used by detail views.
import { page } from "./api.js";
import { h, clear, short, errorBox } from "./dom.js";

const PAGE_SIZE = 50;

// Columns: [{key, label, render(item)}]; without them, the scalar fields of the first page.
function deriveColumns(items) {
  const keys = [];
  for (const item of items.slice(0, 20)) {
    for (const [key, value] of Object.entries(item)) {
      if (!keys.includes(key) && (value === null || typeof value !== "object")) keys.push(key);
    }
  }
  return keys.slice(0, 8).map((key) => ({ key, label: key }));
}

function cell(column, item) {
  if (column.render) return column.render(item);
  const value = item[column.key];
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? short(value) : String(value);
}

export function pagedTable({ path, params = {}, columns, onRow, empty = "Nothing here yet.",
  limit = PAGE_SIZE, caption, rowTest, onPage }) {
  const root = h("div", { class: "paged" });
  const table = h("table", { class: "list" });
  const body = h("tbody");
  const status = h("p", { class: "muted" }, "Loading…");
  const more = h("button", { type: "button", class: "more", hidden: true }, "More");
  let next = null;
  let cols = columns;
  let count = 0;
  if (caption) table.append(h("caption", {}, caption));
  table.append(body);
  root.append(table, status, more);

  async function load() {
    more.disabled = true;
    try {
      const result = await page(path, { limit, ...params }, next);
      if (!cols) {
        cols = deriveColumns(result.items);
        if (cols.length === 0) cols = [{ key: "", label: "item", render: (i) => short(i, 120) }];
      }
      if (!table.tHead) {
        table.createTHead().append(h("tr", {}, cols.map((c) => h("th", { scope: "col" }, c.label))));
      }
      for (const item of result.items) {
        const row = h("tr", {}, cols.map((c) => h("td", {}, cell(c, item))));
        if (rowTest) row.dataset.test = rowTest(item);
        if (onRow) {
          row.classList.add("clickable");
          row.tabIndex = 0;
          row.addEventListener("click", (ev) => { if (!ev.target.closest("a")) onRow(item, row); });
          row.addEventListener("keydown", (ev) => { if (ev.key === "Enter") onRow(item, row); });
        }
        body.append(row);
      }
      if (onPage) onPage(result.body);
      count += result.items.length;
      next = result.next;
      status.textContent = count === 0 ? empty : `${count} shown${next ? "" : " (all)"}`;
      more.hidden = !next;
    } catch (error) {
      clear(status).append(errorBox(error));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", load);
  load();
  return root;
}

// Tabs: [{id, label, render() -> Node}]; the selected one renders on first show.
export function tabs(list, selected) {
  const bar = h("div", { class: "tabs", role: "tablist" });
  const panel = h("div", { class: "tabpanel", role: "tabpanel" });
  const buttons = list.map((tab) => h("button", {
    type: "button", role: "tab", "data-tab": tab.id,
    onclick: () => show(tab.id),
  }, tab.label));
  bar.append(...buttons);
  function show(id) {
    for (const button of buttons) button.setAttribute("aria-selected", String(button.dataset.tab === id));
    const tab = list.find((t) => t.id === id) || list[0];
    clear(panel).append(tab.render());
  }
  show(selected || list[0].id);
  return h("div", {}, bar, panel);
}

export function pageHeader(title, ...extra) {
  return h("div", { class: "page-head" }, h("h1", {}, title), ...extra);
}

export function crumbs(...parts) {
  const nav = h("nav", { class: "crumbs", "aria-label": "Breadcrumb" });
  parts.forEach((part, i) => {
    if (i) nav.append(" / ");
    nav.append(Array.isArray(part) ? h("a", { href: part[1] }, part[0]) : h("span", {}, part));
  });
  return nav;
}
