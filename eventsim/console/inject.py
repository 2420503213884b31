"""Injecting events: any operation of any service, called as the gateway calls it.

``POST api/inject/{service}/{operation}``   body: the operation's parameters in AWS spelling,
                                            as JSON; ``s3 put_object`` also as a multipart
                                            upload (a file part, the other parameters as
                                            fields). ``?settle=true`` waits until the
                                            simulator is idle and adds the trace.
Answer: ``{"result": <the operation's output>, "trace_id": ..., "request_id": ...}``.

The parameters go through the gateway's own dispatcher (`OperationDispatcher.call`), the path
every boto3 call takes after parsing, so an injected event is exactly what the same call from
boto3 would have made. What JSON cannot carry is decoded by the operation's input shape: a
blob is base64 text (or, for convenience, any JSON object or array, sent as its JSON text),
a timestamp ISO 8601 text or epoch seconds. botocore's own validator checks the rest, with
its messages.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from aiohttp import BodyPartReader, web
from botocore import xform_name  # type: ignore[import-untyped]
from botocore.exceptions import ParamValidationError  # type: ignore[import-untyped]
from botocore.model import OperationModel, Shape  # type: ignore[import-untyped]
from botocore.validate import validate_parameters  # type: ignore[import-untyped]

from eventsim.console.jsonable import json_response, to_jsonable
from eventsim.console.keys import INJECT_GATEWAY, SIMULATOR
from eventsim.console.paging import bad_request, not_found
from eventsim.console.traces import trace_view
from eventsim.gateway.endpoints import Gateway, ServiceEndpoint
from eventsim.simulator import SettleTimeout
from eventsim.tracing import TraceHeader, current_request, current_trace, new_trace_id

__all__ = ["decode_parameters", "routes"]

routes = web.RouteTableDef()


def _operation(endpoint: ServiceEndpoint, name: str) -> OperationModel:
    model = endpoint.model
    by_snake = {xform_name(op): op for op in model.operation_names}
    wanted = by_snake.get(name, name if name in model.operation_names else None)
    if wanted is None:
        raise not_found(f"{endpoint.name} has no operation {name}")
    return model.operation_model(wanted)


def decode_parameters(shape: Shape | None, value: Any, path: str = "") -> Any:
    """JSON values to what botocore's parser would have produced for `shape`."""
    if shape is None:
        return value
    kind = shape.type_name
    where = path or "parameters"
    if kind == "structure":
        if not isinstance(value, dict):
            raise bad_request(f"{where}: expected an object")
        decoded = {}
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None:
                raise bad_request(f"{where}: unknown parameter {name!r}; valid parameters: "
                                  + ", ".join(shape.members))
            decoded[name] = decode_parameters(member, item, f"{path}.{name}" if path else name)
        return decoded
    if kind == "list" and isinstance(value, list):
        return [decode_parameters(shape.member, v, f"{where}[{i}]") for i, v in enumerate(value)]
    if kind == "map" and isinstance(value, dict):
        return {k: decode_parameters(shape.value, v, f"{where}.{k}") for k, v in value.items()}
    if kind == "blob":
        if isinstance(value, dict | list):
            return json.dumps(value).encode()
        if isinstance(value, str):
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise bad_request(f"{where}: a blob is base64 text (or a JSON object or "
                                  "array, sent as its JSON text)") from None
        return value
    if kind == "timestamp":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return dt.datetime.fromtimestamp(value, dt.UTC)
        if isinstance(value, str):
            try:
                stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise bad_request(f"{where}: a timestamp is ISO 8601 text or epoch "
                                  "seconds") from None
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    return value


async def _multipart(request: web.Request) -> dict[str, Any]:
    """A form upload: the file part is the Body (its name the Key, its type the
    ContentType, unless given), every other part a parameter."""
    params: dict[str, Any] = {}
    file_name = content_type = None
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise bad_request("nested multipart bodies are not accepted")
        if part.filename:
            params["Body"] = bytes(await part.read())
            file_name = part.filename
            content_type = part.headers.get("Content-Type")
        elif part.name:
            params[part.name] = await part.text()
    if "Body" not in params:
        raise bad_request("a multipart upload needs a file part (the object's body)")
    params.setdefault("Key", file_name)
    if content_type and content_type != "application/octet-stream":
        params.setdefault("ContentType", content_type)
    return params


async def _parameters(request: web.Request, endpoint: ServiceEndpoint,
                      operation: OperationModel) -> dict[str, Any]:
    if request.content_type.startswith("multipart/"):
        if (endpoint.name, operation.name) != ("s3", "PutObject"):
            raise bad_request("multipart uploads are for s3 put_object; send JSON")
        return await _multipart(request)
    raw = await request.read()
    try:
        params = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        raise bad_request(f"the body is not JSON: {exc}") from None
    decoded: dict[str, Any] = decode_parameters(operation.input_shape, params)
    return decoded


async def gateway_of(request: web.Request) -> Gateway:
    """The gateway's tables: the parent application's when mounted under the gateway."""
    from eventsim.gateway.app import GATEWAY

    found = request.config_dict.get(GATEWAY)
    if found is not None:
        return found
    return request.config_dict[INJECT_GATEWAY]


@routes.post("/api/inject/{service}/{operation}")
async def inject(request: web.Request) -> web.Response:
    sim = request.config_dict[SIMULATOR]
    gateway = await gateway_of(request)
    endpoint = gateway.endpoints.get(request.match_info["service"])
    if endpoint is None:
        raise not_found(f"no service {request.match_info['service']}; services: "
                        + ", ".join(sorted(gateway.endpoints)))
    unavailable = endpoint.unavailable()
    if unavailable is not None:
        raise unavailable
    assert endpoint.dispatcher is not None
    operation = _operation(endpoint, request.match_info["operation"])
    params = await _parameters(request, endpoint, operation)
    if operation.input_shape is not None:
        try:
            validate_parameters(params, operation.input_shape)
        except ParamValidationError as exc:
            raise bad_request(str(exc.kwargs.get("report", exc))) from None
    ids = endpoint.serializer.new_request_ids()
    # The injected write starts a trace whose id we know, so the answer can name it.
    trace = TraceHeader(root=new_trace_id(sim.clock.time()))
    ids_token = current_request.set(ids)
    trace_token = current_trace.set(trace)
    try:
        result = await endpoint.dispatcher.call(operation, params)
    finally:
        current_trace.reset(trace_token)
        current_request.reset(ids_token)
    answer: dict[str, Any] = {"result": to_jsonable(result), "trace_id": trace.root,
                              "request_id": ids.request_id,
                              "operation": f"{endpoint.name}:{operation.name}"}
    if request.query.get("settle") in ("1", "true", "yes"):
        try:
            await sim.settle()
            answer["settled"] = True
        except SettleTimeout as exc:
            answer["settled"] = False
            answer["message"] = str(exc)
        answer["trace"] = trace_view(await sim.trace(trace.root))
    return json_response(answer)
