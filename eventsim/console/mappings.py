"""Event source mappings with their state, last result, and per shard checkpoint and age.

``GET api/mappings``   ``?function=&limit=&next=``
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from eventsim.console.jsonable import iso, json_response
from eventsim.console.keys import SIMULATOR
from eventsim.console.paging import page, page_of_sorted

__all__ = ["mapping_view", "routes"]

routes = web.RouteTableDef()


def mapping_view(sim: Any, mapping: Any) -> dict[str, Any]:
    """One mapping as the console shows it (state values are AWS's own words)."""
    return {
        "uuid": mapping.uuid, "arn": mapping.arn, "function": mapping.function_name,
        "function_arn": mapping.function_arn, "source_arn": mapping.event_source_arn,
        "source_kind": mapping.kind, "state": mapping.state,
        "state_transition_reason": mapping.state_reason,
        "last_processing_result": mapping.last_result,
        "last_modified": iso(mapping.last_modified),
        "batch_size": mapping.batch_size,
        "maximum_batching_window": mapping.maximum_batching_window,
        "starting_position": mapping.starting_position,
        "filter_criteria": mapping.filter_criteria,
        "bisect_batch_on_function_error": mapping.bisect,
        "maximum_retry_attempts": mapping.maximum_retry_attempts,
        "maximum_record_age": mapping.maximum_record_age,
        "function_response_types": mapping.function_response_types,
        "on_failure": mapping.on_failure,
        "shards": [
            {"shard_id": s["ShardId"], "checkpoint": s["Position"], "finished": s["Finished"],
             "iterator_age_ms": s["IteratorAgeMilliseconds"]}
            for s in sim.pollers.shard_status(mapping.uuid)
        ],
    }


@routes.get("/api/mappings")
async def mappings(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    found = sorted(sim.mappings.all(), key=lambda m: m.uuid)
    function = request.query.get("function")
    if function:
        found = [m for m in found if m.function_name == function]
    chosen, following = page_of_sorted(request, found, lambda m: m.uuid)
    items = [mapping_view(sim, m) for m in chosen]
    return json_response(page(items, following))
