"""The console's page as files: served by eventsim under /_eventsim/, every module it imports
found, nothing loaded from elsewhere. Runs without a browser."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

from eventsim.console.pages import STATIC_DIR

_IMPORT = re.compile(r"""(?:^|\s)(?:import|export)\s[^;]*?from\s+["']([^"']+)["']""", re.S)
_HTML_REF = re.compile(r"""(?:src|href)="([^"#]+)\"""")


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), ""


def test_page_and_every_module_it_imports_are_served_from_eventsim_itself(
    console_server: str,
) -> None:
    status, headers, html = _get(console_server)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    refs = _HTML_REF.findall(html)
    assert refs and all(not re.match(r"[a-z]+:", ref) and not ref.startswith("//")
                        for ref in refs), refs
    pending = [urllib.parse.urljoin(console_server, ref) for ref in refs]
    seen: set[str] = set()
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        status, headers, body = _get(url)
        assert status == 200, url
        if url.endswith(".js"):
            assert "javascript" in headers["Content-Type"], (url, headers["Content-Type"])
            for spec in _IMPORT.findall(body):
                assert spec.startswith("."), f"{url} imports {spec} from elsewhere"
                pending.append(urllib.parse.urljoin(url, spec))
    served = {u.split("/_eventsim/static/", 1)[1] for u in seen if "/static/" in u}
    on_disk = {p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*")
               if p.is_file() and p.name != "index.html"}
    assert served == on_disk, "files nothing loads, or loads that are not files"


def test_static_route_serves_nothing_outside_the_page_folder(console_server: str) -> None:
    for path in ("static/../pages.py", "static/%2e%2e/pages.py", "static/", "static/js/"):
        status, _, _ = _get(console_server + path)
        assert status in (403, 404), path
