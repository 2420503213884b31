"""Typed application keys of the console."""

from aiohttp import web

from eventsim.console.clockcontrol import ClockControl
from eventsim.console.feed import Feed
from eventsim.console.safety import Safety
from eventsim.gateway.endpoints import Gateway
from eventsim.simulator import Simulator

SIMULATOR = web.AppKey("simulator", Simulator)
FEED = web.AppKey("eventsim.console.feed", Feed)
CLOCK = web.AppKey("eventsim.console.clock", ClockControl)
SAFETY = web.AppKey("eventsim.console.safety", Safety)
INJECT_GATEWAY = web.AppKey("eventsim.console.gateway", Gateway)
"""The gateway's tables, when the console is not mounted under the gateway (tests)."""
