"""The console under ``/_eventsim/``: the JSON API (docs/console-api.md) behind the views.

`eventsim.console.app.make_console_app` builds it; `eventsim.console.safety` holds the rules
the gateway shares (imported from here without importing the rest of the console).
"""
