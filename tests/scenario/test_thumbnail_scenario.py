"""The reference workflow end to end: upload an image, get a thumbnail (needs the engine)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsim.scenario import load_scenario, run_scenario

REPO = Path(__file__).parent.parent.parent


@pytest.mark.asyncio
@pytest.mark.parametrize("clock", ["real", "virtual"])
async def test_thumbnail_scenario_passes(clock: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    report = await run_scenario("scenarios/thumbnail.yaml", clock=clock)
    assert report.passed, report.render(logs=True)
    [invocation] = report.invocations
    assert invocation.function == "make-thumbnail"
    assert invocation.status == "Success"
    assert invocation.trigger == "s3:ObjectCreated:Put uploads/cats/cat.jpg"
    assert "thumbnail uploads/cats/cat.jpg -> thumbnails/cats/cat.jpg (128x96)" in invocation.logs
    text = report.render()
    assert "object thumbnails/cats/cat.jpg: content type image/jpeg, image 128x96 JPEG" in text
    assert "PASSED" in text


@pytest.mark.asyncio
async def test_thumbnail_of_a_png_is_not_made(monkeypatch: pytest.MonkeyPatch) -> None:
    """The S3 event filters on the .jpg suffix: a PNG upload invokes nothing."""
    monkeypatch.chdir(REPO)
    base = load_scenario("scenarios/thumbnail.yaml")
    scenario = base.model_validate({
        **base.model_dump(by_alias=True, exclude={"steps", "expect"}),
        "steps": [{"put_object": {"bucket": "uploads", "key": "badge.png",
                                  "file": "fixtures/images/badge.png"}}],
        "expect": [
            {"invocations": {"function": "make-thumbnail", "count": 0}},
            {"object": {"bucket": "thumbnails", "key": "badge.png", "exists": False}},
        ],
    })
    scenario.attach_source("inline.yaml", REPO, {})
    report = await run_scenario(scenario, clock="virtual")
    assert report.passed, report.render()
    assert report.invocations == []


@pytest.mark.asyncio
async def test_recursive_loop_is_detected_and_reported() -> None:
    report = await run_scenario(REPO / "tests" / "scenarios" / "recursive_loop.yaml")
    assert report.passed, report.render()
    [stopped] = report.loops
    assert stopped.function == "rewriter"
    assert stopped.hop == 16
    assert "Recursive loop detected: Lambda stopped invoking rewriter after 16 hops" in (
        report.render()
    )
    assert report.to_dict()["loops_detected"] == ["rewriter"]
