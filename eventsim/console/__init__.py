"""The console under ``/_eventsim/``: a JSON API now, the browser views later."""

from eventsim.console.app import make_console_app

__all__ = ["make_console_app"]
