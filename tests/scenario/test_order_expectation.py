"""The order expectation: first invocations by start time, where a tie contradicts nothing."""

from __future__ import annotations

from eventsim.scenario.expectations import check_order
from eventsim.scenario.model.expectations import OrderExpectation
from eventsim.services.lambda_.invocations import InvocationRecord


def _record(function: str, started_at: float, seq: int) -> InvocationRecord:
    return InvocationRecord(
        request_id=f"r{seq}", function=function, invocation_type="Event", attempt=1,
        started_at=started_at, duration_ms=1.0, status="Success", trigger="test",
        trace_id="1-00000000-000000000000000000000000", span_id="0" * 16, parent_span=None,
        hop=0, payload="{}", seq=seq,
    )


EXPECTED = OrderExpectation(functions=["place", "announce"])


def test_order_holds_when_the_second_function_started_later() -> None:
    records = [_record("place", 1.0, 1), _record("announce", 2.0, 2)]
    assert check_order(EXPECTED, records, "f.yaml:1").ok


def test_order_holds_on_a_tie_whichever_record_was_written_first() -> None:
    # A virtual clock stands still while handlers run: both started at the same instant.
    records = [_record("announce", 1.0, 1), _record("place", 1.0, 2)]
    assert check_order(EXPECTED, records, "f.yaml:1").ok


def test_order_fails_when_the_second_function_started_first() -> None:
    records = [_record("announce", 1.0, 1), _record("place", 2.0, 2)]
    result = check_order(EXPECTED, records, "f.yaml:1")
    assert not result.ok
    assert result.problem == "expected place -> announce, found announce -> place"


def test_order_fails_naming_a_function_that_never_ran() -> None:
    result = check_order(EXPECTED, [_record("place", 1.0, 1)], "f.yaml:1")
    assert not result.ok
    assert result.found == "place (announce never ran)"
