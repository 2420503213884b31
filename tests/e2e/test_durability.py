"""A killed server loses no accepted write's notification."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from serve import ServeProcess

from eventsim.testing import boto3_client

HERE = Path(__file__).parent


@pytest.mark.slow
def test_sigkill_during_put_burst_loses_no_accepted_notification(tmp_path: Path) -> None:
    server = ServeProcess(tmp_path / "state", load=HERE / "burst.yaml")
    server.start()
    try:
        s3 = boto3_client("s3", server.url)
        accepted: list[str] = []
        enough = threading.Event()

        def burst() -> None:
            for i in range(1000):
                key = f"burst/{i:04d}.bin"
                try:
                    s3.put_object(Bucket="burst", Key=key, Body=b"x" * 64)
                except Exception:
                    return  # the server died under us: this put was not accepted
                accepted.append(key)
                if len(accepted) == 300:
                    enough.set()
            enough.set()

        writer = threading.Thread(target=burst)
        writer.start()
        assert enough.wait(timeout=120)
        server.kill()
        writer.join(timeout=60)
        assert 300 <= len(accepted) < 1000, "the kill should land in the middle of the burst"

        server.start()
        assert server.post("/_eventsim/api/settle?timeout=120")["settled"]
        delivered: set[str] = set()
        after = 0
        while True:
            page = server.get(f"/_eventsim/api/invocations?function=recorder&after={after}"
                              "&detail=full&limit=500")
            rows = page["items"]
            if not rows:
                break
            for row in rows:
                assert row["status"] == "Success"
                delivered.update(row["result"])
            after = rows[-1]["seq"]
        missing = [k for k in accepted if k not in delivered]
        assert missing == [], f"{len(missing)} accepted puts never notified: {missing[:5]}"
    finally:
        server.stop()
