"""Topics with their subscriptions.

``GET api/sns/topics``      ``?limit=&next=``; each topic with attributes and subscriptions
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from eventsim.console.jsonable import json_response
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import page, page_of_sorted

__all__ = ["routes"]

routes = web.RouteTableDef()


async def topic_arns(sim: Any) -> list[str]:
    """Every topic ARN, through ListTopics' own pages (topics are few: the service keeps them
    in memory; what is large is messages, which the console never lists)."""
    arns: list[str] = []
    token: str | None = None
    while True:
        listed = await sim.sns.list_topics(next_token=token)
        arns.extend(t["TopicArn"] for t in listed.get("Topics", []))
        token = listed.get("NextToken")
        if token is None:
            return sorted(arns)


async def subscriptions_of(sim: Any, topic_arn: str) -> list[dict[str, Any]]:
    """A topic's subscriptions with their attributes (filter policy, raw delivery ...)."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        listed = await sim.sns.list_subscriptions_by_topic(topic_arn=topic_arn, next_token=token)
        for sub in listed.get("Subscriptions", []):
            entry = dict(sub)
            if sub["SubscriptionArn"].startswith("arn:"):
                attributes = await sim.sns.get_subscription_attributes(
                    subscription_arn=sub["SubscriptionArn"])
                entry["Attributes"] = attributes.get("Attributes", {})
            found.append(entry)
        token = listed.get("NextToken")
        if token is None:
            return found


@routes.get("/api/sns/topics")
async def topics(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    arns = await topic_arns(sim)
    chosen, following = page_of_sorted(request, arns, str)
    items = []
    for arn in chosen:
        attributes = await sim.sns.get_topic_attributes(topic_arn=arn)
        items.append({"arn": arn, "name": arn.rsplit(":", 1)[-1],
                      "attributes": attributes.get("Attributes", {}),
                      "subscriptions": await subscriptions_of(sim, arn)})
    return json_response(page(items, following))
