"""The CloudWatch Logs service (botocore ``logs``): reading what functions logged.

Serves the operations that read Lambda's logs (`eventsim.services.logs.lambda_logs`):
DescribeLogGroups, DescribeLogStreams, GetLogEvents and FilterLogEvents, so that
``aws logs``, boto3 and tools built on them (``aws logs tail``, ``sam logs``) show an
invocation's output as they would on AWS. Log groups of eventsim's own are Lambda's; creating
groups or putting events of one's own is not implemented (NotImplemented, as for every
operation this service lacks).

Paging tokens are opaque to callers and carry a position, not an offset where an offset could
shift: a log stream only grows at its end, so GetLogEvents' tokens stay good while functions
keep logging, and FilterLogEvents' continue after the last event they returned.
"""

from __future__ import annotations

import base64
import binascii
from functools import partial
from typing import Any

from eventsim.errors import NotImplementedOperation
from eventsim.services.base import ServiceContext
from eventsim.services.logs import lambda_logs
from eventsim.services.logs.errors import InvalidParameterException, ResourceNotFoundException
from eventsim.services.logs.lambda_logs import GROUP_PREFIX, LogEvent, StreamInfo
from eventsim.services.logs.patterns import compile_pattern

__all__ = ["LogsService"]

DESCRIBE_LIMIT = 50
EVENTS_LIMIT = 10_000
PAGE_BYTES = 1_048_576
"""A page of events holds at most this many bytes, counting 26 per event beside its message
(AWS's reckoning for PutLogEvents batches, which it applies to pages too)."""
EVENT_OVERHEAD = 26
MAX_STREAM_NAMES = 100


class LogsService:
    """CloudWatch Logs over the functions' recorded invocations."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    # -- groups and streams ----------------------------------------------------------------

    async def describe_log_groups(
        self, *, log_group_name_prefix: str | None = None,
        log_group_name_pattern: str | None = None, next_token: str | None = None,
        limit: int | None = None, include_linked_accounts: bool | None = None,
        log_group_class: str | None = None, account_identifiers: list[str] | None = None,
        log_group_identifiers: list[str] | None = None,
    ) -> dict[str, Any]:
        """DescribeLogGroups: by name, optionally by prefix, substring or identifiers."""
        if include_linked_accounts or account_identifiers:
            raise NotImplementedOperation(
                "eventsim has one account: it does not implement linked accounts.")
        if log_group_name_prefix is not None and log_group_name_pattern is not None:
            raise InvalidParameterException(
                "logGroupNamePrefix and logGroupNamePattern are mutually exclusive.")
        if log_group_identifiers is not None and (
                log_group_name_prefix is not None or log_group_name_pattern is not None):
            raise InvalidParameterException(
                "logGroupIdentifiers cannot be combined with logGroupNamePrefix or "
                "logGroupNamePattern.")
        count = _limit(limit, DESCRIBE_LIMIT)
        after = _untoken("g", next_token) if next_token is not None else None
        wanted = (None if log_group_identifiers is None
                  else {self._group_name(i) for i in log_group_identifiers})
        found = await self._ctx.db.read(lambda_logs.groups, offload=True)
        selected = []
        for function, created in found:
            name = GROUP_PREFIX + function
            if after is not None and name <= after:
                continue
            if log_group_name_prefix is not None and not name.startswith(log_group_name_prefix):
                continue
            if log_group_name_pattern is not None and log_group_name_pattern not in name:
                continue
            if wanted is not None and name not in wanted:
                continue
            if log_group_class not in (None, "STANDARD"):
                continue  # every group here is a STANDARD one, as Lambda's are
            selected.append(self._group(name, created))
        page, more = selected[:count], len(selected) > count
        out: dict[str, Any] = {"logGroups": page}
        if more:
            out["nextToken"] = _token("g", page[-1]["logGroupName"])
        return out

    async def describe_log_streams(
        self, *, log_group_name: str | None = None, log_group_identifier: str | None = None,
        log_stream_name_prefix: str | None = None, order_by: str | None = None,
        descending: bool | None = None, next_token: str | None = None, limit: int | None = None,
    ) -> dict[str, Any]:
        """DescribeLogStreams: a group's streams by name or by their last event."""
        if order_by not in (None, "LogStreamName", "LastEventTime"):
            raise InvalidParameterException(
                f"1 validation error detected: Value '{order_by}' at 'orderBy' failed to "
                "satisfy constraint: Member must satisfy enum value set: "
                "[LogStreamName, LastEventTime]")
        if order_by == "LastEventTime" and log_stream_name_prefix is not None:
            raise InvalidParameterException(
                "Cannot order by LastEventTime with a logStreamNamePrefix.")
        count = _limit(limit, DESCRIBE_LIMIT)
        group = self._group_of(log_group_name, log_group_identifier)
        function = await self._function(group)
        found = await self._ctx.db.read(partial(lambda_logs.streams, function=function),
                                        offload=True)
        if log_stream_name_prefix is not None:
            found = [s for s in found if s.name.startswith(log_stream_name_prefix)]
        if order_by == "LastEventTime":
            found.sort(key=lambda s: (s.last_event, s.name))
        if descending:
            found.reverse()
        start = 0
        if next_token is not None:
            start = _token_int(_untoken("s", next_token))
        page = found[start:start + count]
        out: dict[str, Any] = {"logStreams": [self._stream(group, s) for s in page]}
        if start + count < len(found):
            out["nextToken"] = _token("s", str(start + count))
        return out

    # -- events ----------------------------------------------------------------------------

    async def get_log_events(
        self, *, log_stream_name: str, log_group_name: str | None = None,
        log_group_identifier: str | None = None, start_time: int | None = None,
        end_time: int | None = None, next_token: str | None = None, limit: int | None = None,
        start_from_head: bool | None = None, unmask: bool | None = None,
    ) -> dict[str, Any]:
        """GetLogEvents: one stream's events, oldest first within a page; without a token
        the newest page, or the oldest with ``startFromHead``."""
        count = _limit(limit, EVENTS_LIMIT)
        group = self._group_of(log_group_name, log_group_identifier)
        function = await self._function(group)
        direction, after = "f", None
        if next_token is not None:
            direction, after = _position_token(next_token)
        events = await self._ctx.db.read(partial(
            lambda_logs.read_events, function=function, streams={log_stream_name},
            start_ms=start_time, end_ms=end_time), offload=True)
        if not events and not await self._stream_exists(function, log_stream_name):
            raise ResourceNotFoundException.stream()
        if after is None:
            page = (_fill(events, count) if start_from_head
                    else _fill(events[::-1], count)[::-1])
        elif direction == "f":
            page = _fill([e for e in events if e.position > after], count)
        else:
            page = _fill([e for e in events if e.position < after][::-1], count)[::-1]
        if page:
            forward, backward = page[-1].position, page[0].position
        else:  # the end in that direction: the token that was passed in, again
            here = after if after is not None else (
                (0, 0) if start_from_head or not events else events[-1].position)
            forward = backward = here
        return {
            "events": [{"timestamp": e.timestamp, "message": e.message,
                        "ingestionTime": e.ingestion} for e in page],
            "nextForwardToken": _position("f", forward),
            "nextBackwardToken": _position("b", backward),
        }

    async def filter_log_events(
        self, *, log_group_name: str | None = None, log_group_identifier: str | None = None,
        log_stream_names: list[str] | None = None, log_stream_name_prefix: str | None = None,
        start_time: int | None = None, end_time: int | None = None,
        filter_pattern: str | None = None, next_token: str | None = None,
        limit: int | None = None, interleaved: bool | None = None,
        start_from_head: bool | None = None, unmask: bool | None = None,
    ) -> dict[str, Any]:
        """FilterLogEvents: a group's events matching a pattern, by timestamp."""
        if log_stream_names is not None and log_stream_name_prefix is not None:
            raise InvalidParameterException(
                "logStreamNames and logStreamNamePrefix are mutually exclusive.")
        if log_stream_names is not None and not 1 <= len(log_stream_names) <= MAX_STREAM_NAMES:
            raise InvalidParameterException(
                f"logStreamNames takes 1 to {MAX_STREAM_NAMES} names.")
        if start_from_head is False:
            raise NotImplementedOperation(
                "eventsim does not implement FilterLogEvents with startFromHead=false "
                "(newest first); its pages run oldest first.")
        count = _limit(limit, EVENTS_LIMIT)
        matches = compile_pattern(filter_pattern)
        group = self._group_of(log_group_name, log_group_identifier)
        function = await self._function(group)
        after = _order_token(next_token) if next_token is not None else None
        events = await self._ctx.db.read(partial(
            lambda_logs.read_events, function=function,
            streams=set(log_stream_names) if log_stream_names is not None else None,
            prefix=log_stream_name_prefix, start_ms=start_time, end_ms=end_time), offload=True)
        events.sort(key=lambda e: e.order)
        chosen = [e for e in events if (after is None or e.order > after) and matches(e.message)]
        page = _fill(chosen, count)
        out: dict[str, Any] = {"events": [
            {"logStreamName": e.stream, "timestamp": e.timestamp, "message": e.message,
             "ingestionTime": e.ingestion, "eventId": _event_id(e)} for e in page]}
        if len(page) < len(chosen):
            out["nextToken"] = _token("e", ".".join(map(str, page[-1].order)))
        return out

    # -- helpers ---------------------------------------------------------------------------

    def _group(self, name: str, created: int) -> dict[str, Any]:
        arn = f"arn:aws:logs:{self._ctx.region}:{self._ctx.account_id}:log-group:{name}"
        return {"logGroupName": name, "creationTime": created, "metricFilterCount": 0,
                "arn": arn + ":*", "logGroupClass": "STANDARD", "logGroupArn": arn}

    def _stream(self, group: str, stream: StreamInfo) -> dict[str, Any]:
        return {
            "logStreamName": stream.name, "creationTime": stream.first_event,
            "firstEventTimestamp": stream.first_event, "lastEventTimestamp": stream.last_event,
            "lastIngestionTime": stream.last_event,
            "arn": f"arn:aws:logs:{self._ctx.region}:{self._ctx.account_id}:log-group:{group}"
                   f":log-stream:{stream.name}",
            # AWS stopped counting a stream's bytes in 2019 and reports zero.
            "storedBytes": 0,
        }

    def _group_name(self, identifier: str) -> str:
        """A log group's name from its name or ARN (with or without the trailing ``:*``)."""
        if not identifier.startswith("arn:"):
            return identifier
        parts = identifier.split(":", 6)
        if len(parts) < 7 or parts[2] != "logs" or parts[5] != "log-group":
            raise InvalidParameterException(f"Invalid log group ARN: {identifier}")
        name = parts[6]
        return name[:-2] if name.endswith(":*") else name

    def _group_of(self, name: str | None, identifier: str | None) -> str:
        if name is not None and identifier is not None:
            raise InvalidParameterException(
                "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        if name is None and identifier is None:
            raise InvalidParameterException(
                "Either logGroupName or logGroupIdentifier must be given.")
        return name if name is not None else self._group_name(identifier or "")

    async def _function(self, group: str) -> str:
        """The function whose log group ``group`` is; ResourceNotFound if none has logged."""
        function = lambda_logs.function_of(group)
        if function is None or await self._ctx.db.read(
                partial(lambda_logs.group_created, function=function)) is None:
            raise ResourceNotFoundException.group()
        return function

    async def _stream_exists(self, function: str, name: str) -> bool:
        found = await self._ctx.db.read(partial(lambda_logs.streams, function=function),
                                        offload=True)
        return any(s.name == name for s in found)


def _fill(events: list[LogEvent], count: int) -> list[LogEvent]:
    """The first events that fit a page: ``count`` of them, at most `PAGE_BYTES`."""
    size = 0
    for i, event in enumerate(events[:count]):
        size += len(event.message.encode()) + EVENT_OVERHEAD
        if size > PAGE_BYTES:
            return events[:max(i, 1)]
    return events[:count]


def _limit(limit: int | None, most: int) -> int:
    if limit is None:
        return most
    if not 1 <= limit <= most:
        raise InvalidParameterException(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            f"constraint: Member must have value {'less' if limit > most else 'greater'} than "
            f"or equal to {most if limit > most else 1}")
    return limit


def _event_id(event: LogEvent) -> str:
    # AWS's are 56 digits; these are as long, and unique per line.
    return f"{event.timestamp:020d}{event.seq:030d}{event.line:06d}"


def _position(direction: str, position: tuple[int, int]) -> str:
    """A GetLogEvents token (``f/`` or ``b/`` and 56 digits, as AWS spells them)."""
    seq, line = position
    return f"{direction}/{seq:050d}{line:06d}"


def _position_token(token: str) -> tuple[str, tuple[int, int]]:
    direction, _, digits = token.partition("/")
    if direction not in ("f", "b") or len(digits) != 56 or not digits.isdigit():
        raise _bad_token()
    return direction, (int(digits[:50]), int(digits[50:]))


def _order_token(token: str) -> tuple[int, int, int]:
    parts = _untoken("e", token).split(".")
    if len(parts) != 3:
        raise _bad_token()
    timestamp, seq, line = (_token_int(p) for p in parts)
    return timestamp, seq, line


def _token(kind: str, value: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode()


def _untoken(kind: str, token: str) -> str:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise _bad_token() from None
    found, _, value = text.partition(":")
    if found != kind:
        raise _bad_token()
    return value


def _token_int(text: str) -> int:
    if not text.isdigit():
        raise _bad_token()
    return int(text)


def _bad_token() -> InvalidParameterException:
    return InvalidParameterException("The specified nextToken is invalid.")
