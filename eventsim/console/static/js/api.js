// The console's JSON API (docs/console-api.md), relative to the page at /_eventsim/.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export function url(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const qs = query.toString();
  return `api/${path}${qs ? `?${qs}` : ""}`;
}

async function parse(response) {
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const message = typeof body === "string" ? body
      : body?.message || body?.error?.message || body?.error || JSON.stringify(body);
    throw new ApiError(response.status, `${response.status}: ${message}`, body);
  }
  return body;
}

export async function get(path, params) {
  return parse(await fetch(url(path, params), { headers: { Accept: "application/json" } }));
}

export async function post(path, body, params) {
  const init = { method: "POST", headers: { Accept: "application/json" } };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return parse(await fetch(url(path, params), init));
}

// One page of a list: {items, next}. Older endpoints name the list after what it holds.
export function itemsOf(body) {
  if (Array.isArray(body)) return body;
  if (Array.isArray(body?.items)) return body.items;
  for (const value of Object.values(body || {})) if (Array.isArray(value)) return value;
  return [];
}

export async function page(path, params = {}, next = null) {
  const body = await get(path, { ...params, next: next ?? undefined });
  return { items: itemsOf(body), next: body?.next ?? null, body };
}
