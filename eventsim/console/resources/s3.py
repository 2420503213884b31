"""Buckets, their objects (a page at a time, by key) and an object's raw body for previews.

``GET api/s3/buckets``                          every bucket, with its notification targets
``GET api/s3/buckets/{bucket}/objects``         ``?prefix=&delimiter=&limit=&next=``
``GET api/s3/buckets/{bucket}/object?key=``     the body, with its Content-Type
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from eventsim.console.jsonable import json_response, to_jsonable
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import bad_request, decode_cursor, limit_of, page, page_of_sorted

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/api/s3/buckets")
async def buckets(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    listed = await sim.s3.list_buckets()
    names = sorted(b["Name"] for b in listed.get("Buckets", []))
    chosen, following = page_of_sorted(request, names, str)
    items: list[dict[str, Any]] = []
    created = {b["Name"]: b.get("CreationDate") for b in listed.get("Buckets", [])}
    for name in chosen:
        notifications = await sim.s3.get_bucket_notification_configuration(bucket=name)
        items.append({"name": name, "created": to_jsonable(created.get(name)),
                      "notifications": to_jsonable(notifications)})
    return json_response(page(items, following))


@routes.get("/api/s3/buckets/{bucket}/objects")
async def objects(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    token = decode_cursor(request)
    listed = await sim.s3.list_objects_v2(
        bucket=request.match_info["bucket"], prefix=request.query.get("prefix") or None,
        delimiter=request.query.get("delimiter") or None, max_keys=limit_of(request),
        continuation_token=token if isinstance(token, str) else None,
    )
    items = [{"key": c["Key"], "size": c["Size"], "etag": c["ETag"],
              "last_modified": to_jsonable(c["LastModified"])}
             for c in listed.get("Contents", [])]
    answer = page(items, listed.get("NextContinuationToken"))
    answer["prefixes"] = [p["Prefix"] for p in listed.get("CommonPrefixes", [])]
    return json_response(answer)


@routes.get("/api/s3/buckets/{bucket}/object")
async def object_body(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    key = request.query.get("key")
    if not key:
        raise bad_request("key is required: ?key=<object key>")
    found = await sim.s3.get_object(bucket=request.match_info["bucket"], key=key)
    content_type = found.get("ContentType") or "application/octet-stream"
    # The body is the user's content, shown in the console's own origin: never let a browser
    # run it as a page (an uploaded .html or .svg would otherwise script the console).
    headers = {"Content-Type": content_type, "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self' data:;"
                                          " style-src 'unsafe-inline'",
               "ETag": found.get("ETag", "")}
    return web.Response(body=found["Body"], headers=headers)
