"""Typed application keys of the console."""

from aiohttp import web

from eventsim.simulator import Simulator

SIMULATOR = web.AppKey("simulator", Simulator)
