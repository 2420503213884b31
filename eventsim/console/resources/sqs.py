"""Queues with their counts and dead-letter queue, and a peek at their messages.

``GET api/sqs/queues``                    ``?limit=&next=``
``GET api/sqs/queues/{name}/messages``    ``?limit=&next=``: arrival order, without receiving
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from eventsim.console.jsonable import iso, json_response, to_jsonable
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import decode_cursor, limit_of, page, page_of_sorted

__all__ = ["routes"]

routes = web.RouteTableDef()


async def queue_summary(sim: Any, name: str) -> dict[str, Any]:
    """One queue as the console shows it: counts, settings and where its failures go."""
    attributes = (await sim.sqs.get_queue_attributes(
        queue_url=sim.sqs.url_of(name), attribute_names=["All"])).get("Attributes", {})
    redrive = attributes.get("RedrivePolicy")
    policy: dict[str, Any] = json.loads(redrive) if redrive else {}
    sources = await sim.sqs.list_dead_letter_source_queues(queue_url=sim.sqs.url_of(name))
    return {
        "name": name, "arn": attributes.get("QueueArn"), "url": sim.sqs.url_of(name),
        "fifo": name.endswith(".fifo"),
        "visible": int(attributes.get("ApproximateNumberOfMessages", 0)),
        "in_flight": int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
        "delayed": int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
        "dead_letter_queue": policy.get("deadLetterTargetArn"),
        "max_receive_count": policy.get("maxReceiveCount"),
        "dead_letter_sources": sources.get("queueUrls", []),
        "attributes": attributes,
    }


@routes.get("/api/sqs/queues")
async def queues(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    names: list[str] = sim.sqs.queue_names()
    chosen, following = page_of_sorted(request, names, str)
    items = [await queue_summary(sim, name) for name in chosen]
    return json_response(page(items, following))


_STATES = {"Visible": "visible", "InFlight": "in_flight", "Delayed": "delayed"}


def _message(m: dict[str, Any]) -> dict[str, Any]:
    """A peeked message as the console shows it (see docs/console-api.md)."""
    system = m.get("Attributes", {})
    sent = system.get("SentTimestamp")
    return {
        "seq": m["Position"], "MessageId": m["MessageId"], "Body": m["Body"],
        "MessageAttributes": to_jsonable(m.get("MessageAttributes", {})),
        "Attributes": system,
        "SentTimestamp": iso(int(sent) / 1000) if sent else None,
        "VisibleAt": iso(m["VisibleAt"]),
        "ApproximateReceiveCount": int(system.get("ApproximateReceiveCount", 0)),
        "State": _STATES.get(m["State"], m["State"]),
        "MessageGroupId": system.get("MessageGroupId"),
        "SequenceNumber": system.get("SequenceNumber"),
    }


@routes.get("/api/sqs/queues/{name}/messages")
async def messages(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    after = decode_cursor(request)
    limit = limit_of(request)
    peeked = await sim.sqs.peek_messages(
        queue_url=sim.sqs.url_of(request.match_info["name"]),
        max_number_of_messages=limit + 1, after_position=after if isinstance(after, int) else 0)
    found = [_message(m) for m in peeked["Messages"]]
    more = len(found) > limit
    found = found[:limit]
    return json_response(page(found, found[-1]["seq"] if more else None))
