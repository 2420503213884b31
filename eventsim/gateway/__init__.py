"""The AWS wire gateway: parse, call, serialize, driven by botocore's service models.

`make_gateway_app` is the aiohttp application; `eventsim.server.Server` serves it.
"""

from eventsim.gateway.app import make_gateway_app

__all__ = ["make_gateway_app"]
