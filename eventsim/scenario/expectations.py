"""Checking a scenario's ``expect:`` list against what the simulator did.

One function per expectation kind; each returns an `ExpectationResult` that says what was
wanted and what was found, so a failure reads "expected 1 Success invocation of
make-thumbnail, found 0 (1 Error)".
"""

from __future__ import annotations

import asyncio
import io
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from eventsim.errors import AwsError
from eventsim.scenario.model import (
    CountedExpectation,
    Expectation,
    ImageExpectation,
    InvocationsExpectation,
    ItemExpectation,
    LogsExpectation,
    LoopDetectedExpectation,
    ObjectExpectation,
    OrderExpectation,
    QueueExpectation,
    StreamExpectation,
    TableStreamExpectation,
    TraceExpectation,
)
from eventsim.scenario.peek import kinesis_records, queue_messages, table_stream_records
from eventsim.scenario.values import plain_item, typed_item
from eventsim.services.lambda_.invocations import InvocationRecord
from eventsim.simulator import Simulator

__all__ = ["ExpectationResult", "check_expectation"]


@dataclass(frozen=True)
class ExpectationResult:
    """The outcome of one expectation."""

    kind: str
    subject: str
    """What was looked at: ``object thumbnails/cats/cat.jpg``."""
    criteria: str
    """What the file asked for, briefly: ``max_width 128``."""
    found: str
    """What was there, briefly: ``image 128x96 JPEG``."""
    ok: bool
    where: str
    """``file:line`` of the expectation."""
    problem: str | None = None
    """For a failure: ``expected X, found Y``."""

    def render(self, paint: Callable[[str, str], str] = lambda text, _style: text) -> str:
        """One line (two when it failed) for the text report; `paint` colours the verdict."""
        verdict = paint("ok", "green") if self.ok else paint("FAILED", "red")
        line = f"{self.subject}: {self.found} ({self.criteria}) ... {verdict}"
        if not self.ok and self.problem:
            line += f"\n      {self.problem}  [{self.where}]"
        return line

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


async def check_expectation(
    sim: Simulator, expectation: Expectation, records: Sequence[InvocationRecord], where: str
) -> ExpectationResult:
    """Check one expectation; `records` are every invocation the run made."""
    if isinstance(expectation, InvocationsExpectation):
        return check_invocations(expectation, records, where)
    if isinstance(expectation, LoopDetectedExpectation):
        return check_loop_detected(expectation, records, where)
    if isinstance(expectation, LogsExpectation):
        return check_logs(expectation, records, where)
    if isinstance(expectation, OrderExpectation):
        return check_order(expectation, records, where)
    if isinstance(expectation, ItemExpectation):
        return await check_item(sim, expectation, where)
    if isinstance(expectation, QueueExpectation):
        return await check_queue(sim, expectation, where)
    if isinstance(expectation, StreamExpectation):
        return await check_stream(sim, expectation, where)
    if isinstance(expectation, TableStreamExpectation):
        return await check_table_stream(sim, expectation, where)
    if isinstance(expectation, TraceExpectation):
        # trace_check builds on this module's ExpectationResult, so it is imported late.
        from eventsim.scenario.trace_check import check_trace

        return await check_trace(sim, expectation, records, where)
    return await check_object(sim, expectation, where)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def check_invocations(
    exp: InvocationsExpectation, records: Sequence[InvocationRecord], where: str
) -> ExpectationResult:
    """Count a function's invocations (every attempt counts), by status when one is given."""
    mine = [r for r in records if r.function == exp.function]
    by_status = Counter(r.status for r in mine)
    n = by_status[exp.status] if exp.status else len(mine)
    label = f"{exp.status} " if exp.status else ""
    least = 0
    if exp.count is not None:
        ok = n == exp.count
        criteria, wanted = f"count {exp.count}", f"{exp.count}"
    else:
        least = 1 if exp.min_count is None else exp.min_count
        ok = n >= least
        criteria, wanted = f"min_count {least}", f"at least {least}"
    if exp.status:
        criteria += f", status {exp.status}"
    found = f"{n} {exp.status}" if exp.status else _plural(n, "invocation")
    problem = None
    if not ok:
        number = exp.count if exp.count is not None else least
        noun = "invocation" if number == 1 else "invocations"
        problem = f"expected {wanted} {label}{noun} of {exp.function}, found {n}"
        if by_status and set(by_status) != {exp.status}:
            problem += " (" + ", ".join(f"{c} {s}" for s, c in sorted(by_status.items())) + ")"
        failed = [r for r in mine if r.error]
        if failed and exp.status != "Error":
            error = failed[-1].error or {}
            problem += f"; last error: {error.get('errorType')}: {error.get('errorMessage')}"
    return ExpectationResult(
        kind="invocations", subject=f"invocations {exp.function}", criteria=criteria,
        found=found, ok=ok, where=where, problem=problem,
    )


def check_loop_detected(
    exp: LoopDetectedExpectation, records: Sequence[InvocationRecord], where: str
) -> ExpectationResult:
    """Lambda's recursive loop detection stopped a chain invoking the function."""
    stopped = [r for r in records if r.function == exp.function and r.status == "LoopDetected"]
    ran = sum(1 for r in records if r.function == exp.function and r.status != "LoopDetected")
    if stopped:
        found = f"loop stopped at hop {stopped[0].hop} after {_plural(ran, 'invocation')}"
    else:
        found = f"no loop detected ({_plural(ran, 'invocation')})"
    return ExpectationResult(
        kind="loop_detected", subject=f"loop_detected {exp.function}",
        criteria="a recursive loop is stopped", found=found, ok=bool(stopped), where=where,
        problem=None if stopped else f"expected a recursive loop of {exp.function} to be "
        f"stopped, found {found}",
    )


async def check_object(sim: Simulator, exp: ObjectExpectation, where: str) -> ExpectationResult:
    """The object exists or not, and holds what the file says."""
    subject = f"object {exp.bucket}/{exp.key}"
    try:
        obj = await sim.s3.get_object(bucket=exp.bucket, key=exp.key)
    except AwsError as exc:
        if exc.code not in ("NoSuchKey", "NoSuchBucket"):
            raise
        return ExpectationResult(
            kind="object", subject=subject, criteria="exists" if exp.exists else "absent",
            found="absent", ok=not exp.exists, where=where,
            problem=f"expected {subject} to exist, found {exc.code}" if exp.exists else None,
        )
    body: bytes = obj["Body"]
    if not exp.exists:
        return ExpectationResult(
            kind="object", subject=subject, criteria="absent", found=f"exists, {len(body)} bytes",
            ok=False, where=where, problem=f"expected {subject} not to exist, found it "
            f"({len(body)} bytes)",
        )
    criteria: list[str] = []
    found: list[str] = []
    failures: list[str] = []
    if exp.content_type is not None:
        content_type = obj.get("ContentType")
        criteria.append(f"content_type {exp.content_type}")
        found.append(f"content type {content_type}")
        if content_type != exp.content_type:
            failures.append(f"expected content_type {exp.content_type}, found {content_type}")
    if exp.text is not None:
        text = body.decode("utf-8", errors="replace")
        criteria.append(f"text {_preview(exp.text)}")
        found.append(f"text {_preview(text)}")
        if text != exp.text:
            failures.append(f"expected text {_preview(exp.text)}, found {_preview(text)}")
    if exp.image is not None:
        wanted, seen, problems = await _check_image(exp.image, body)
        criteria.append(wanted)
        found.append(seen)
        failures.extend(problems)
    if not criteria:
        criteria.append("exists")
        found.append(f"exists, {len(body)} bytes")
    return ExpectationResult(
        kind="object", subject=subject, criteria=", ".join(criteria), found=", ".join(found),
        ok=not failures, where=where, problem="; ".join(failures) or None,
    )


def _preview(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


_FORMAT_ALIASES = {"JPG": "JPEG", "TIF": "TIFF"}


async def _check_image(exp: ImageExpectation, body: bytes) -> tuple[str, str, list[str]]:
    rules = [(name, value) for name, value in (
        ("width", exp.width), ("height", exp.height), ("max_width", exp.max_width),
        ("max_height", exp.max_height), ("format", exp.format),
    ) if value is not None]
    criteria = ", ".join(f"{n} {v}" for n, v in rules) or "an image"
    info = await asyncio.to_thread(_image_info, body)
    if isinstance(info, str):
        return criteria, "not an image", [f"expected an image, found {info}"]
    width, height, fmt = info
    found = f"image {width}x{height} {fmt}"
    actual = {"width": width, "height": height, "max_width": width, "max_height": height}
    problems = []
    for name, value in rules:
        if name == "format":
            want = str(value).upper()
            want = _FORMAT_ALIASES.get(want, want)
            if fmt.upper() != want:
                problems.append(f"expected format {want}, found {fmt}")
        elif name.startswith("max_"):
            if actual[name] > int(value):
                problems.append(f"expected {name} {value}, found {name[4:]} {actual[name]}")
        elif actual[name] != value:
            problems.append(f"expected {name} {value}, found {actual[name]}")
    return criteria, found, problems


def _image_info(body: bytes) -> tuple[int, int, str] | str:
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        return "no Pillow to read it (pip install 'eventsim[examples]')"
    try:
        with Image.open(io.BytesIO(body)) as image:
            return image.width, image.height, image.format or "unknown"
    except (UnidentifiedImageError, OSError) as exc:
        return f"unreadable data ({len(body)} bytes: {exc})"


# -- counts of things: messages, records, log lines -----------------------------------------------


def _counted(exp: CountedExpectation, kind: str, subject: str, n: int, what: str, where: str,
             detail: str = "") -> ExpectationResult:
    """Compare a count with ``count`` / ``min_count``; `what` names the counted thing."""
    if exp.count is not None:
        number = exp.count
        ok, criteria, wanted = n == number, f"count {number}", _plural(number, what)
    else:
        number = 1 if exp.min_count is None else exp.min_count
        ok, criteria, wanted = n >= number, f"min_count {number}", \
            f"at least {_plural(number, what)}"
    found = _plural(n, what)
    problem = None if ok else f"expected {wanted} in {subject}, found {n}{detail}"
    return ExpectationResult(kind=kind, subject=subject, criteria=criteria, found=found, ok=ok,
                             where=where, problem=problem)


async def check_queue(sim: Simulator, exp: QueueExpectation, where: str) -> ExpectationResult:
    """Messages in a queue, peeked at (none is received or hidden)."""
    try:
        bodies = await queue_messages(sim, exp.name)
    except AwsError as exc:
        if exc.code != "QueueDoesNotExist":
            raise
        return ExpectationResult(
            kind="queue", subject=f"queue {exp.name}", criteria="exists", found="no such queue",
            ok=False, where=where, problem=f"expected queue {exp.name}, found QueueDoesNotExist")
    matching = bodies if exp.body_contains is None else [
        b for b in bodies if exp.body_contains in b]
    subject = f"queue {exp.name}"
    detail = ""
    if exp.body_contains is not None:
        subject += f" (body contains {exp.body_contains!r})"
        detail = f" of {_plural(len(bodies), 'message')}"
        if bodies:
            detail += f"; first: {_preview(bodies[0], 80)}"
    return _counted(exp, "queue", subject, len(matching), "message", where, detail)


async def check_stream(sim: Simulator, exp: StreamExpectation, where: str) -> ExpectationResult:
    """Records in a Kinesis stream, read from the trim horizon of every shard."""
    datas = await kinesis_records(sim, exp.name)
    texts = [d.decode("utf-8", errors="replace") for d in datas]
    matching = texts if exp.data_contains is None else [
        t for t in texts if exp.data_contains in t]
    subject = f"stream {exp.name}"
    detail = ""
    if exp.data_contains is not None:
        subject += f" (data contains {exp.data_contains!r})"
        detail = f" of {_plural(len(texts), 'record')}"
    return _counted(exp, "stream", subject, len(matching), "record", where, detail)


async def check_table_stream(sim: Simulator, exp: TableStreamExpectation,
                             where: str) -> ExpectationResult:
    """Records in a table's DynamoDB stream, by event name when given."""
    stream_records = await table_stream_records(sim, exp.table)
    by_name = Counter(str(r.get("eventName")) for r in stream_records)
    n = by_name[exp.event_name] if exp.event_name else len(stream_records)
    subject = f"table_stream {exp.table}" + (f" ({exp.event_name})" if exp.event_name else "")
    detail = ""
    if by_name and set(by_name) != {exp.event_name}:
        detail = " (" + ", ".join(f"{c} {e}" for e, c in sorted(by_name.items())) + ")"
    return _counted(exp, "table_stream", subject, n, "record", where, detail)


def check_logs(exp: LogsExpectation, records: Sequence[InvocationRecord],
               where: str) -> ExpectationResult:
    """Invocations of the function whose log output contains the text."""
    mine = [r for r in records if r.function == exp.function]
    n = sum(1 for r in mine if exp.contains in r.logs)
    detail = f" of {_plural(len(mine), 'invocation')}"
    return _counted(exp, "logs", f"logs of {exp.function} containing {exp.contains!r}", n,
                    "invocation", where, detail)


def check_order(exp: OrderExpectation, records: Sequence[InvocationRecord],
                where: str) -> ExpectationResult:
    """Each function's first invocation started no earlier than the previous function's
    first. A tie holds either way: a virtual clock stands still while handlers run, so two
    invocations running at once may share their start time, and which one's record happens
    to be written first says nothing about which started first."""
    first: dict[str, InvocationRecord] = {}
    for record in sorted(records, key=lambda r: (r.started_at, r.seq)):
        first.setdefault(record.function, record)
    ran = [f for f in exp.functions if f in first]
    wanted_at = {f: i for i, f in enumerate(exp.functions)}
    actual = sorted(ran, key=lambda f: (first[f].started_at, wanted_at[f]))
    never = [f for f in exp.functions if f not in first]
    found = " -> ".join(actual) if actual else "no invocations"
    if never:
        found += f" ({', '.join(never)} never ran)"
    ok = not never and actual == list(exp.functions)
    wanted = " -> ".join(exp.functions)
    return ExpectationResult(
        kind="order", subject="order of first invocations", criteria=wanted, found=found,
        ok=ok, where=where, problem=None if ok else f"expected {wanted}, found {found}")


# -- items -----------------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    # Numbers compare as numbers (DynamoDB keeps 2 and 2.0 as the same N).
    if isinstance(a, int | float) and isinstance(b, int | float) \
            and not isinstance(a, bool) and not isinstance(b, bool):
        return float(a) == float(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _show(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def check_item(sim: Simulator, exp: ItemExpectation, where: str) -> ExpectationResult:
    """The item with the key exists or not, and equals or contains what the file says."""
    subject = f"item {exp.table} {_show(exp.key)}"
    out = await sim.dynamodb.get_item(table_name=exp.table, key=typed_item(exp.key))
    if "Item" not in out:
        return ExpectationResult(
            kind="item", subject=subject, criteria="exists" if exp.exists else "absent",
            found="absent", ok=not exp.exists, where=where,
            problem=f"expected {subject} to exist, found no such item" if exp.exists else None)
    item = plain_item(out["Item"])
    if not exp.exists:
        return ExpectationResult(
            kind="item", subject=subject, criteria="absent", found=_show(item), ok=False,
            where=where, problem=f"expected {subject} not to exist, found {_show(item)}")
    criteria: list[str] = []
    failures: list[str] = []
    if exp.equals is not None:
        criteria.append(f"equals {_show(exp.equals, 60)}")
        if not _same(item, exp.equals):
            failures.append(f"expected the item to equal {_show(exp.equals)}, found "
                            f"{_show(item)}")
    if exp.contains is not None:
        criteria.append(f"contains {_show(exp.contains, 60)}")
        wrong = {k: item.get(k, "(absent)") for k, v in exp.contains.items()
                 if k not in item or not _same(item[k], v)}
        if wrong:
            failures.append(f"expected the item to contain {_show(exp.contains)}, found "
                            f"{_show(wrong)}")
    return ExpectationResult(
        kind="item", subject=subject, criteria=", ".join(criteria) or "exists",
        found=_show(item, 80), ok=not failures, where=where, problem="; ".join(failures) or None)
