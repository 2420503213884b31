"""The console sub-application, mounted at ``/_eventsim/`` on the gateway's port."""

from __future__ import annotations

from aiohttp import web

from eventsim.console import api
from eventsim.console.keys import SIMULATOR
from eventsim.console.pages import add_page_routes
from eventsim.simulator import Simulator

__all__ = ["make_console_app"]


def make_console_app(sim: Simulator) -> web.Application:
    """The console's routes; `sim` is the simulator it shows."""
    app = web.Application()
    app[SIMULATOR] = sim
    app.add_routes(api.routes)
    add_page_routes(app)
    return app
