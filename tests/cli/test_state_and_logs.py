"""``eventsim state show|reset`` and ``eventsim logs`` on a state directory."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eventsim import Simulator, SimulatorConfig
from eventsim.cli import main
from eventsim.commands.logs import parse_since

HERE = Path(__file__).parent
FUNCTIONS = HERE / "functions.yaml"


async def _fill(db: Path) -> None:
    """Two of most things, written through the services' own methods."""
    async with Simulator(SimulatorConfig(db=str(db), clock="virtual")) as sim:
        await sim.s3.create_bucket(bucket="uploads")
        for key in ("a", "b"):
            await sim.s3.put_object(bucket="uploads", key=key, body=b"x")
        url = (await sim.sqs.create_queue(queue_name="jobs"))["QueueUrl"]
        for body in ("1", "2"):
            await sim.sqs.send_message(queue_url=url, message_body=body)
        await sim.sns.create_topic(name="news")
        await sim.dynamodb.create_table(
            table_name="things", attribute_definitions=[{"AttributeName": "pk",
                                                         "AttributeType": "S"}],
            key_schema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            billing_mode="PAY_PER_REQUEST",
            stream_specification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        for pk in ("1", "2"):
            await sim.dynamodb.put_item(table_name="things", item={"pk": {"S": pk}})
        await sim.kinesis.create_stream(stream_name="clicks", shard_count=1)
        for n in range(3):
            await sim.kinesis.put_record(stream_name="clicks", data=b"%d" % n,
                                         partition_key="p")
        fn = await sim.functions.create_function(
            name="echo", handler="app.echo", code_dir=HERE / "functions", runtime="python3.12")
        await sim.mappings.create_event_source_mapping(
            function_name=fn.arn, event_source_arn=sim.kinesis.stream_arn("clicks"),
            starting_position="TRIM_HORIZON", enabled=False)
        await sim.functions.invoke("echo", {"n": 1})
        await sim.settle()


@pytest.fixture
def state(tmp_path: Path) -> Path:
    directory = tmp_path / "state"
    asyncio.run(_fill(directory / "eventsim.db"))
    return directory


def test_state_show_counts_everything(state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["state", "show", "--state", str(state), "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)["counts"]
    assert counts["buckets"] == 1 and counts["objects"] == 2
    assert counts["queues"] == 1 and counts["messages"] == 2
    assert counts["topics"] == 1
    assert counts["tables"] == 1 and counts["items"] == 2
    assert counts["table streams"] == 1 and counts["table stream records"] == 2
    assert counts["streams"] == 1 and counts["records"] == 3
    assert counts["functions"] == 1 and counts["mappings"] == 1
    assert counts["invocations"] == 1


def test_state_show_as_text_names_every_count(
    state: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["state", "show", "--state", str(state)]) == 0
    out = capsys.readouterr().out
    for name in ("buckets", "objects", "queues", "messages", "topics", "tables", "items",
                 "streams", "records", "functions", "mappings", "invocations"):
        assert f"  {name} " in out
    assert "\x1b[" not in out  # not a terminal: no colour


def test_state_reset_needs_yes_then_removes_only_eventsims_files(
    state: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (state / "notes.txt").write_text("mine")
    assert main(["state", "reset", "--state", str(state)]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert (state / "eventsim.db").exists()
    assert main(["state", "reset", "--state", str(state), "--yes"]) == 0
    assert sorted(p.name for p in state.iterdir()) == ["notes.txt"]
    assert main(["state", "show", "--state", str(state)]) == 2
    assert "no eventsim.db in it" in capsys.readouterr().err


def test_state_show_of_a_missing_directory_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["state", "show", "--state", str(tmp_path / "nope")]) == 2
    assert "no such directory" in capsys.readouterr().err


def test_state_show_of_a_file_that_is_not_a_database_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "eventsim.db").write_text("not sqlite at all, just text " * 100)
    assert main(["state", "show", "--state", str(tmp_path)]) == 2
    assert "is not an eventsim database" in capsys.readouterr().err


def test_logs_print_each_invocation_framed_by_platform_lines(
    state: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["logs", "echo", "--state", str(state)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "Success lambda:Invoke echo" in lines[0]
    assert lines[1].startswith("START RequestId: ")
    assert lines[-1].startswith("REPORT RequestId: ")


def test_logs_since_leaves_out_older_invocations(
    state: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # The virtual clock starts at the real time; nothing started in the future.
    assert main(["logs", "echo", "--state", str(state), "--since", "2999-01-01T00:00:00Z"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["logs", "echo", "--state", str(state), "--since", "1d", "--json"]) == 0
    (record,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert record["status"] == "Success" and record["logs"].startswith("START RequestId: ")


def test_logs_of_an_unknown_function_exit_2(
    state: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["logs", "nope", "--state", str(state)]) == 2
    assert "no function nope" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "seconds_ago"), [("30s", 30), ("10m", 600), ("2h", 7200),
                                                     ("1d", 86400), ("1.5m", 90)])
def test_since_durations_count_back_from_now(text: str, seconds_ago: float) -> None:
    assert parse_since(text, now=1000000.0) == 1000000.0 - seconds_ago


def test_since_accepts_iso_times_in_utc() -> None:
    assert parse_since("1970-01-02T00:00:00Z") == 86400
    assert parse_since("1970-01-02T00:00:00") == 86400
    assert parse_since("1970-01-02T01:00:00+01:00") == 86400


def test_logs_follow_prints_an_invocation_another_process_records(state: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    follow = subprocess.Popen(
        [sys.executable, "-m", "eventsim", "logs", "echo", "--state", str(state), "--follow",
         "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert follow.stdout is not None
        first = json.loads(follow.stdout.readline())  # the invocation already there
        invoke = subprocess.run(
            [sys.executable, "-m", "eventsim", "invoke", "echo", "--state", str(state),
             "--runtime", "inline"], capture_output=True, text=True, timeout=60, env=env)
        assert invoke.returncode == 0, invoke.stderr
        second = json.loads(follow.stdout.readline())
        assert second["requestId"] != first["requestId"]
        assert second["function"] == "echo" and second["status"] == "Success"
    finally:
        follow.terminate()
        follow.wait(timeout=10)
