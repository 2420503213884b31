"""Invocation lists (newest first, filtered, paged), tailing after a position, and detail."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ECHO, FIXTURES, Console

FAILING = FIXTURES / "functions" / "failing"


async def _invocations(console: Console) -> None:
    sim = console.sim
    await sim.functions.create_function(name="echo", handler="app.lambda_handler",
                                        code_dir=ECHO)
    await sim.functions.create_function(name="failing", handler="app.lambda_handler",
                                        code_dir=Path(FAILING))
    for n in range(5):
        await sim.functions.invoke("echo", {"n": n})
    for n in range(2):
        await sim.functions.invoke("failing", {"n": n})


@pytest.mark.asyncio
async def test_invocations_list_newest_first_across_pages(console: Console) -> None:
    await _invocations(console)
    rows = await console.pages("api/invocations", 3)
    assert [r["seq"] for r in rows] == list(range(7, 0, -1))
    assert [r["function"] for r in rows] == ["failing"] * 2 + ["echo"] * 5
    assert "payload" not in rows[0] and "logs" not in rows[0]
    assert rows[0]["error_type"] == "ValueError" and rows[-1]["error_type"] is None
    assert rows[0]["service"] == "lambda" and rows[0]["started_at"].endswith("Z")


@pytest.mark.asyncio
@pytest.mark.parametrize(("query", "functions"), [
    pytest.param("function=echo", ["echo"] * 5, id="function"),
    pytest.param("status=Error", ["failing"] * 2, id="status"),
    pytest.param("status=Error&function=echo", [], id="both"),
    pytest.param("trigger=lambda:Invoke%20failing", ["failing"] * 2, id="trigger-prefix"),
    pytest.param("trigger=s3", [], id="trigger-none"),
])
async def test_invocations_filter_by_function_status_and_trigger(
    console: Console, query: str, functions: list[str],
) -> None:
    await _invocations(console)
    rows = await console.pages(f"api/invocations?{query}", 2)
    assert [r["function"] for r in rows] == functions


@pytest.mark.asyncio
async def test_invocations_after_a_position_tail_oldest_first_with_full_records(
    console: Console,
) -> None:
    await _invocations(console)
    rows = await console.pages("api/invocations?after=2&function=echo&detail=full", 2)
    assert [r["seq"] for r in rows] == [3, 4, 5]
    assert [r["event"] for r in rows] == [{"n": 2}, {"n": 3}, {"n": 4}]
    assert rows[0]["result"] == {"n": 2} and '{"n": 2}' in rows[0]["logs"]
    answer = await console.get("api/invocations?after=0&trigger=s3", status=400)
    assert "trigger" in answer["message"]


@pytest.mark.asyncio
async def test_invocation_detail_has_the_error_and_unknown_ids_are_not_found(
    console: Console,
) -> None:
    await _invocations(console)
    [newest] = (await console.get("api/invocations?limit=1"))["items"]
    detail = await console.get(f"api/invocations/{newest['request_id']}")
    [attempt] = detail["attempts"]
    assert attempt["status"] == "Error" and attempt["result"] is None
    assert attempt["error"]["errorMessage"] == "this function always fails"
    assert attempt["event"] == {"n": 1}
    answer = await console.get("api/invocations/no-such-request", status=404)
    assert answer["error"] == "NotFound"
    await console.get("api/invocations/no-such-request/trace", status=404)
    await console.get("api/traces/1-00000000-000000000000000000000000", status=404)


@pytest.mark.asyncio
async def test_full_detail_in_newest_first_pages(console: Console) -> None:
    await _invocations(console)
    rows = (await console.get("api/invocations?function=echo&limit=2&detail=full"))["items"]
    assert [r["event"] for r in rows] == [{"n": 4}, {"n": 3}]
