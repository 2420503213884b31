"""The console in a real browser over a heavy state: how long each heavy view takes from
navigation until its first page is drawn (the API's answer plus the page's rendering).

Fill a state first with the API's benchmark (100,000 invocations, 1,000,000 DynamoDB stream
records and 1,000,000 Kinesis records), then point this at it:

    python bench/console.py --db /tmp/heavy/eventsim.db
    python bench/console_browser.py --state /tmp/heavy [--repeat 5]

Needs Debian's chromium and the playwright package (``pip install -e '.[browser]'``).
"""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# (label, hash, what shows once the first page is drawn)
VIEWS = [
    ("overview", "", "main .tile"),
    ("invocations, newest 50", "invocations", "main table.list tbody tr"),
    ("invocations, errors of one function", "invocations?function=make-thumbnail&status=Error",
     "main .paged > p:not(:has-text('Loading'))"),
    ("function detail", "functions/make-thumbnail", "main table.list tbody tr"),
    ("dynamodb stream records", "dynamodb/orders", "main table.list tbody tr"),
    ("kinesis shard records", "kinesis/clicks", "main table.list tbody tr"),
    ("live feed (connected)", "feed", "[data-test=feed-state]:has-text('live')"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--state", type=Path, required=True,
                        help="a state directory holding eventsim.db")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not (args.state / "eventsim.db").exists():
        sys.exit(f"{args.state}/eventsim.db does not exist: fill it with bench/console.py --db")
    server = subprocess.Popen(
        [sys.executable, "-m", "eventsim", "serve", "--port", "0", "--state", str(args.state),
         "--runtime", "inline", "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdout is not None
    url = None
    for line in server.stdout:
        found = re.search(r"listening on (http://\S+)", line)
        if found:
            url = found.group(1) + "/_eventsim/"
            break
    if url is None:
        server.kill()
        sys.exit("eventsim serve did not start")
    figures = []
    try:
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                profile, executable_path="/usr/bin/chromium", headless=True, args=ARGS,
                viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(url)  # warm the browser's module cache once, as a user's second visit
            page.locator("main .tile").first.wait_for(timeout=60_000)
            for label, hash_, ready in VIEWS:
                times = []
                for _ in range(args.repeat):
                    page.goto("about:blank")
                    started = time.perf_counter()
                    page.goto(f"{url}#/{hash_}")
                    page.locator(ready).first.wait_for(timeout=60_000)
                    times.append((time.perf_counter() - started) * 1000)
                figures.append((label, statistics.median(times), max(times)))
            context.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    width = max(len(f[0]) for f in figures)
    print(f"{'view':<{width}}  median ms   worst ms")
    for label, median, worst in figures:
        print(f"{label:<{width}}  {median:9.1f}  {worst:9.1f}")
    heaviest = max(figures, key=lambda f: f[1])
    print(f"\nheaviest view: {heaviest[0]}, median {heaviest[1]:.0f} ms")


if __name__ == "__main__":
    main()
