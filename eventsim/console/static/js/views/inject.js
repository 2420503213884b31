// Inject: start from an AWS-shaped template (api/inject/templates), edit it, send it through
// the same service method boto3 would reach, then see the result and what it caused.
import { get, post, itemsOf } from "../api.js";
import { h, append, clear, enc, ms, section, statusBadge, codeBlock, errorBox, pretty } from "../dom.js";
import { pageHeader } from "../components.js";
import { field } from "./util.js";
import { drawTrace } from "./trace.js";

function normalise(body) {
  let list = itemsOf(body);
  if (!list.length && body && typeof body === "object") {
    // {"s3/put_object": {...}} or {"s3": {"put_object": {...}}}
    for (const [key, value] of Object.entries(body)) {
      if (key.includes("/")) list.push({ ...value, id: key });
      else if (value && typeof value === "object") {
        for (const [op, inner] of Object.entries(value)) list.push({ service: key, operation: op, ...(inner || {}) });
      }
    }
  }
  return list.map((t) => {
    const id = t.id ?? `${t.service}/${t.operation}`;
    const [service, operation] = t.service && t.operation ? [t.service, t.operation] : id.split("/");
    const parameters = t.params ?? t.parameters ?? t.template ?? {};
    return { id: `${service}/${operation}`, service, operation, label: t.label ?? t.title ?? t.description ?? `${service} ${operation}`,
      parameters, upload: Boolean(t.multipart ?? (service === "s3" && operation === "put_object")), note: t.description };
  });
}

function invocationsCaused(trace) {
  const invs = (trace.nodes || []).filter((n) => n.kind === "invocation");
  if (!invs.length) return h("p", { class: "muted" }, "It caused no invocations.");
  return h("ul", { class: "caused", "data-test": "caused" }, invs.map((n) => h("li", {},
    statusBadge(n.status), " ", h("a", { href: `#/invocations/${enc(n.request_id ?? n.id)}` }, n.label ?? n.id),
    " ", ms(n.duration_ms))));
}

export async function inject(params, query) {
  const templates = normalise(await get("inject/templates"));
  if (!templates.length) return h("div", {}, pageHeader("Inject"), errorBox("The API offers no templates."));
  let current = templates.find((t) => t.id === query.template) || templates[0];
  const picker = h("select", { name: "template", "data-test": "template" },
    templates.map((t) => h("option", { value: t.id, selected: t === current }, `${t.service} · ${t.operation} — ${t.label}`)));
  const editor = h("textarea", { name: "parameters", rows: 16, spellcheck: "false", class: "code", "data-test": "parameters" });
  const fileRow = h("label", { class: "file" }, "File to upload (becomes Body; its type becomes ContentType unless set) ",
    h("input", { type: "file", name: "file", "data-test": "upload-file" }));
  const note = h("p", { class: "muted" });
  const outcome = h("div", { class: "outcome", "data-test": "inject-outcome" });
  const send = h("button", { type: "submit", class: "primary", "data-test": "inject-send" }, "Send");

  const load = (template) => {
    current = template;
    editor.value = pretty(template.parameters);
    fileRow.hidden = !template.upload;
    note.textContent = template.note && template.note !== template.label ? template.note : "";
    history.replaceState(null, "", `#/inject?template=${enc(template.id)}`);
  };
  picker.addEventListener("change", () => load(templates.find((t) => t.id === picker.value)));
  // A chosen file replaces the template's Body: show the parameters that will really be sent.
  fileRow.querySelector("input").addEventListener("change", (ev) => {
    const file = ev.target.files[0];
    if (!file) return;
    let parameters;
    try { parameters = JSON.parse(editor.value || "{}"); } catch { return; }
    delete parameters.Body;
    if (parameters.Key === current.parameters.Key) parameters.Key = file.name;
    if (file.type) parameters.ContentType = file.type;
    else delete parameters.ContentType;
    editor.value = pretty(parameters);
  });

  const submit = async (ev) => {
    ev.preventDefault();
    let parameters;
    try {
      parameters = JSON.parse(editor.value || "{}");
    } catch (error) {
      clear(outcome).append(errorBox(`The parameters are not valid JSON: ${error.message}`));
      return;
    }
    const file = fileRow.hidden ? null : fileRow.querySelector("input").files[0];
    let body = parameters;
    if (file) {
      body = new FormData();
      for (const [key, value] of Object.entries(parameters)) {
        if (key === "Body") continue;
        body.append(key, typeof value === "string" ? value : JSON.stringify(value));
      }
      if (!("ContentType" in parameters) && file.type) body.append("ContentType", file.type);
      body.append("Body", file, file.name);
    }
    send.disabled = true;
    clear(outcome).append(h("p", { class: "muted" }, "Sending…"));
    try {
      // settle=true: the answer comes once everything the write caused has run, with its trace.
      const response = await post(`inject/${enc(current.service)}/${enc(current.operation)}`, body, { settle: "true" });
      const traceId = field(response, "trace_id");
      const trace = field(response, "trace");
      const caused = h("div", {});
      clear(outcome).append(section(`Result of ${field(response, "operation") ?? current.id}`,
        codeBlock(field(response, "result") ?? response)), section("What it caused", caused));
      if (response.settled === false) caused.append(errorBox(response.message ?? "The simulator did not settle."));
      if (!trace) { caused.append(h("p", { class: "muted" }, "No trace came back.")); return; }
      append(caused, [invocationsCaused(trace), drawTrace(trace),
        traceId ? h("p", {}, h("a", { href: `#/traces/${enc(traceId)}` }, "Open the trace")) : null]);
    } catch (error) {
      clear(outcome).append(errorBox(error));
    } finally {
      send.disabled = false;
    }
  };
  load(current);
  const form = h("form", { class: "inject", onsubmit: submit, "data-test": "inject-form" },
    h("label", {}, "Template ", picker), note,
    h("label", { class: "block" }, "Parameters (AWS spelling, as boto3 takes them)", editor),
    fileRow, h("div", { class: "actions" }, send,
      h("button", { type: "button", onclick: () => load(current) }, "Reset to template")));
  return h("div", {}, pageHeader("Inject"), h("div", { class: "grid-inject" }, h("div", { class: "card" }, form), outcome));
}
