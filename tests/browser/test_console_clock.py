"""The clock controls in the console's header, on a server started with ``--clock virtual``."""

from __future__ import annotations

from typing import Any

TIMEOUT_MS = 30_000


def test_virtual_clock_advances_pauses_and_resumes_from_the_header(
    virtual_console_server: str, console_page: Any
) -> None:
    tab = console_page()
    page = tab.open("")
    clock = page.locator("#clock")
    clock.get_by_text("paused").wait_for(timeout=TIMEOUT_MS)  # a virtual clock starts paused
    before = page.evaluate("fetch('api/clock').then(r => r.json()).then(c => c.now_epoch)")
    shown = page.get_by_test_id("clock-now").inner_text()
    clock.get_by_label("seconds to advance").fill("120")
    clock.get_by_role("button", name="Advance").click()
    page.get_by_test_id("clock-now").filter(has_not_text=shown).wait_for(timeout=TIMEOUT_MS)
    after = page.evaluate("fetch('api/clock').then(r => r.json()).then(c => c.now_epoch)")
    assert 120 <= after - before < 130
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert clock.get_by_role("button", name="Resume").is_visible()
    assert "null" not in clock.inner_text()
    tab.screenshot("virtual-clock")
    clock.get_by_role("button", name="Resume").click()
    clock.get_by_role("button", name="Pause").wait_for(timeout=TIMEOUT_MS)
    assert clock.get_by_text("paused").count() == 0
    clock.get_by_role("button", name="Pause").click()
    clock.get_by_text("paused").wait_for(timeout=TIMEOUT_MS)
