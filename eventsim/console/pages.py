"""The console's browser side: one page and its static files, served by eventsim itself.

``GET /_eventsim/``              the single-page console (plain HTML, CSS and ES modules)
``GET /_eventsim/static/...``    its scripts, styles and icon

No build step and no CDN: what is in ``static/`` is what the browser runs, so the console works
offline and its files install as package data.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

__all__ = ["STATIC_DIR", "add_page_routes"]

STATIC_DIR = Path(__file__).with_name("static")

# The page loads nothing from elsewhere; saying so stops injected markup from reaching out.
_CSP = (
    "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


async def _index(request: web.Request) -> web.Response:
    # A plain Response (not a FileResponse), so the console's guard can set the access-token
    # cookie on the page that was opened with ?token=; the file is small.
    response = web.Response(body=(STATIC_DIR / "index.html").read_bytes(),
                            content_type="text/html", charset="utf-8")
    response.headers["Content-Security-Policy"] = _CSP
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


async def _redirect_to_index(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.app.router["console-index"].url_for())


def add_page_routes(app: web.Application) -> None:
    """Serve the page at the sub-application's root and its files under ``static/``."""
    app.router.add_get("/", _index, name="console-index")
    app.router.add_get("/index.html", _redirect_to_index)
    app.router.add_static("/static", STATIC_DIR, name="console-static", append_version=False)
