// Reading API items whose field names follow either the console's snake_case or AWS's spelling.
import { page } from "../api.js";

export function field(item, ...names) {
  if (!item) return undefined;
  for (const name of names) {
    if (item[name] !== undefined && item[name] !== null) return item[name];
  }
  return undefined;
}

export function nameOf(item) {
  return field(item, "name", "Name", "BucketName", "QueueName", "TableName", "StreamName",
    "FunctionName", "TopicName", "id");
}

// One named thing from a list endpoint, paging until found (the API has no per-item endpoint).
export async function findOne(listPath, name, limitPages = 20) {
  let next = null;
  for (let i = 0; i < limitPages; i += 1) {
    const result = await page(listPath, { limit: 200 }, next);
    const found = result.items.find((item) => nameOf(item) === name);
    if (found) return found;
    next = result.next;
    if (!next) break;
  }
  return null;
}
