"""Functions: their configuration, where their asynchronous events go, recent invocations.

``GET api/functions``          ``?limit=&next=``: name, runtime, handler, invocation count
``GET api/functions/{name}``   configuration (Lambda's GetFunctionConfiguration), event invoke
                               config, dead-letter queue, destinations, mappings, the newest
                               invocations (``?recent=`` how many, default 20)
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from eventsim.console.jsonable import json_response, to_jsonable
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import (
    MAX_LIMIT,
    page,
    page_of_sorted,
    query_number,
)
from eventsim.console.views import summary
from eventsim.errors import AwsError

__all__ = ["routes"]

routes = web.RouteTableDef()


@routes.get("/api/functions")
async def functions(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    configs = sorted(await sim.functions.list_functions(), key=lambda f: f.name)
    chosen, following = page_of_sorted(request, configs, lambda f: f.name)
    items = [{
        "name": f.name, "arn": f.arn, "runtime": f.runtime, "handler": f.handler,
        "runtime_kind": f.runtime_kind, "timeout": f.timeout, "memory_size": f.memory_size,
        "dead_letter_target": f.dead_letter_target, "on_success": f.on_success,
        "on_failure": f.on_failure,
        "invocations": await sim.invocations.count(function=f.name),
    } for f in chosen]
    return json_response(page(items, following))


@routes.get("/api/functions/{name}")
async def function(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    name = request.match_info["name"]
    configuration = await sim.lambda_api.get_function_configuration(function_name=name)
    config = await sim.functions.get_function(name)
    try:
        invoke_config: dict[str, Any] | None = await (
            sim.lambda_api.get_function_event_invoke_config(function_name=name))
    except AwsError:  # none set: AWS answers ResourceNotFoundException, and defaults apply
        invoke_config = None
    mappings = await sim.mappings.list_event_source_mappings(function_name=name)
    recent = int(query_number(request, "recent") or 20)
    rows = await sim.invocations.summaries(function=name,
                                           limit=max(1, min(recent, MAX_LIMIT)))
    return json_response({
        "name": name,
        "configuration": to_jsonable(configuration),
        "event_invoke_config": to_jsonable(invoke_config),
        "retries": {"maximum_retry_attempts": config.maximum_retry_attempts,
                    "maximum_event_age": config.maximum_event_age},
        "dead_letter_queue": config.dead_letter_target,
        "destinations": {"on_success": config.on_success, "on_failure": config.on_failure},
        "reserved_concurrency": config.reserved_concurrency,
        "mappings": to_jsonable(mappings.get("EventSourceMappings", [])),
        "invocation_count": await sim.invocations.count(function=name),
        "error_count": await sim.invocations.count(function=name, status="Error"),
        "recent_invocations": [summary(r) for r in rows],
    })
