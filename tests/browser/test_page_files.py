"""The console's page as files: served by eventsim under /_eventsim/, every module it imports
found, nothing loaded from elsewhere. Runs without a browser."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest

from eventsim.config import SimulatorConfig
from eventsim.console.pages import STATIC_DIR
from eventsim.server import Server

_IMPORT = re.compile(r"""(?:^|\s)(?:import|export)\s[^;]*?from\s+["']([^"']+)["']""", re.S)
_HTML_REF = re.compile(r"""(?:src|href)="([^"#]+)\"""")


@pytest.mark.asyncio
async def test_page_and_every_module_it_imports_are_served_from_eventsim_itself() -> None:
    async with Server(SimulatorConfig(), port=0) as server, aiohttp.ClientSession() as http:
        base = f"{server.url}/_eventsim/"
        async with http.get(base) as response:
            assert response.status == 200
            assert response.content_type == "text/html"
            assert "default-src 'self'" in response.headers["Content-Security-Policy"]
            html = await response.text()
        refs = _HTML_REF.findall(html)
        assert refs and all(not re.match(r"[a-z]+:", ref) and not ref.startswith("//")
                            for ref in refs), refs
        pending = [base + ref for ref in refs]
        seen: set[str] = set()
        while pending:
            url = pending.pop()
            if url in seen:
                continue
            seen.add(url)
            async with http.get(url) as response:
                assert response.status == 200, url
                body = await response.text()
                if url.endswith(".js"):
                    assert "javascript" in response.content_type, (url, response.content_type)
                    for spec in _IMPORT.findall(body):
                        assert spec.startswith("."), f"{url} imports {spec} from elsewhere"
                        pending.append(str(aiohttp.client.URL(url).join(aiohttp.client.URL(spec))))
        served = {u.split("/_eventsim/static/", 1)[1] for u in seen if "/static/" in u}
        on_disk = {str(p.relative_to(STATIC_DIR)) for p in STATIC_DIR.rglob("*")
                   if p.is_file() and p.name != "index.html"}
        assert served == on_disk, "files nothing loads, or loads that are not files"


@pytest.mark.asyncio
async def test_static_route_serves_nothing_outside_the_page_folder() -> None:
    async with Server(SimulatorConfig(), port=0) as server, aiohttp.ClientSession() as http:
        for path in ("static/../pages.py", "static/%2e%2e/pages.py", "static/"):
            async with http.get(f"{server.url}/_eventsim/{path}") as response:
                assert response.status in (403, 404), path
        assert Path(STATIC_DIR, "index.html").is_file()
