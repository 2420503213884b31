"""The page behind an access token: opened once with ``?token=``, its own requests (fetch and
the live feed's EventSource) carry the token as the console's cookie."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

TIMEOUT_MS = 30_000


def test_page_opened_with_token_lists_functions_and_feed_goes_live(
    token_console_server: str, console_token: str, console_page: Any
) -> None:
    try:
        urllib.request.urlopen(token_console_server + "api/functions", timeout=10)
        raise AssertionError("the console answered without its token")
    except urllib.error.HTTPError as exc:
        assert exc.code == 401
    tab = console_page()
    page = tab.page
    page.goto(f"{token_console_server}?token={console_token}#/functions")
    page.get_by_test_id("function-make-thumbnail").wait_for(timeout=TIMEOUT_MS)
    page.goto(f"{token_console_server}#/feed")
    page.get_by_test_id("feed-state").filter(has_text="live").wait_for(timeout=TIMEOUT_MS)
