"""What the simulator holds, at a glance.

``GET api/overview``   counts per service, functions, mappings, invocations, and the clock
"""

from __future__ import annotations

from aiohttp import web

from eventsim.console.clock import clock_state
from eventsim.console.jsonable import json_response
from eventsim.console.keys import CLOCK, SIMULATOR
from eventsim.console.resources.dynamodb import table_names
from eventsim.console.resources.kinesis import stream_names
from eventsim.console.resources.sns import topic_arns

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/api/overview")
async def overview(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    buckets = (await sim.s3.list_buckets()).get("Buckets", [])
    subscriptions = 0
    token: str | None = None
    while True:
        listed = await sim.sns.list_subscriptions(next_token=token)
        subscriptions += len(listed.get("Subscriptions", []))
        token = listed.get("NextToken")
        if token is None:
            break
    functions = await sim.functions.list_functions()
    return json_response({
        "services": {
            "s3": {"buckets": len(buckets)},
            "sns": {"topics": len(await topic_arns(sim)), "subscriptions": subscriptions},
            "sqs": {"queues": len(sim.sqs.queue_names())},
            "dynamodb": {"tables": len(await table_names(sim))},
            "kinesis": {"streams": len(await stream_names(sim))},
            "lambda": {"functions": len(functions), "mappings": len(sim.mappings.all())},
        },
        "functions": sorted(f.name for f in functions),
        "mappings": len(sim.mappings.all()),
        "invocations": {"total": await sim.invocations.count(),
                        "errors": await sim.invocations.count(status="Error")},
        "clock": clock_state(sim, request.config_dict[CLOCK]),
        "region": sim.config.region,
        "account_id": sim.config.account_id,
    })
