"""Bucket notification configurations: validation, storage and matching.

Input is the ``NotificationConfiguration`` member of PutBucketNotificationConfiguration as
botocore parses it (``TopicConfigurations``, ``QueueConfigurations``,
``LambdaFunctionConfigurations``, ``EventBridgeConfiguration``). Validation runs in AWS's order,
as localstack's AWS-validated snapshots show: first every check that needs nothing but the
request (ARN syntax, event names, filter rules; the first failure wins), then overlaps, then
whether the destinations exist (every failing destination is listed in one error).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from eventsim.errors import InvalidArgument, MalformedXML
from eventsim.events.s3 import encode_key
from eventsim.matching.s3_keys import KeyFilter
from eventsim.services.s3.event_types import EVENT_TYPES, event_matches, events_overlap

__all__ = [
    "NotificationConfiguration",
    "NotificationTarget",
    "TargetKind",
    "matching_targets",
    "new_configuration_id",
    "parse_notification_configuration",
]

TargetKind = Literal["function", "topic", "queue"]


@dataclass(frozen=True)
class _Section:
    """One list of the configuration: its keys, target kind and the ARN's service."""

    list_key: str
    arn_key: str
    kind: TargetKind
    xml_name: str  # what S3 names the ARN in ArgumentName (the XML element)
    service: str


_SECTIONS = (
    _Section("TopicConfigurations", "TopicArn", "topic", "Topic", "sns"),
    _Section("QueueConfigurations", "QueueArn", "queue", "Queue", "sqs"),
    _Section(
        "LambdaFunctionConfigurations", "LambdaFunctionArn", "function", "CloudFunction", "lambda"
    ),
)
_ARN = re.compile(r"^arn:aws(?:-[a-z]+)*:([a-z0-9-]+):[a-z0-9-]+:\d{12}:(.+)$")
_FUNCTION_RESOURCE = re.compile(r"^function:[A-Za-z0-9_-]{1,64}(?::[A-Za-z0-9$_-]{1,128})?$")
_MAX_RULE_VALUE_BYTES = 1024


@dataclass(frozen=True)
class NotificationTarget:
    """One destination configuration: where events go, for which events and keys."""

    kind: TargetKind
    arn: str
    configuration_id: str
    """The ``Id``; records carry it as ``s3.configurationId``."""
    events: tuple[str, ...]
    key_filter: KeyFilter


@dataclass(frozen=True)
class NotificationConfiguration:
    """A bucket's whole notification configuration (a PUT replaces it atomically)."""

    targets: tuple[NotificationTarget, ...] = ()
    event_bridge: bool = False
    _by_event: dict[str, tuple[NotificationTarget, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def targets_for(self, event_name: str) -> tuple[NotificationTarget, ...]:
        """The targets whose event types cover `event_name` (``s3:ObjectCreated:Put``),
        worked out once per event name: every write asks."""
        found = self._by_event.get(event_name)
        if found is None:
            found = tuple(t for t in self.targets
                          if any(event_matches(p, event_name) for p in t.events))
            self._by_event[event_name] = found
        return found

    def to_api(self) -> dict[str, Any]:
        """The GetBucketNotificationConfiguration output, members in the s3 model's order.

        S3 returns filter rule names capitalised (``Prefix``/``Suffix``) whatever case was put.
        """
        result: dict[str, Any] = {}
        for section in _SECTIONS:
            items = [_target_api(t, section) for t in self.targets if t.kind == section.kind]
            if items:
                result[section.list_key] = items
        if self.event_bridge:
            result["EventBridgeConfiguration"] = {}
        return result

    def to_json(self) -> str:
        """A compact JSON document for storage."""
        targets = [
            {
                "kind": t.kind,
                "arn": t.arn,
                "id": t.configuration_id,
                "events": list(t.events),
                "prefix": t.key_filter.prefix,
                "suffix": t.key_filter.suffix,
            }
            for t in self.targets
        ]
        return json.dumps(
            {"targets": targets, "event_bridge": self.event_bridge}, separators=(",", ":")
        )

    @classmethod
    def from_json(cls, text: str) -> NotificationConfiguration:
        """Read back what `to_json` wrote."""
        data = json.loads(text)
        targets = tuple(
            NotificationTarget(
                kind=t["kind"],
                arn=t["arn"],
                configuration_id=t["id"],
                events=tuple(t["events"]),
                key_filter=KeyFilter(t["prefix"], t["suffix"]),
            )
            for t in data["targets"]
        )
        return cls(targets=targets, event_bridge=bool(data["event_bridge"]))


def _target_api(target: NotificationTarget, section: _Section) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Id": target.configuration_id,
        section.arn_key: target.arn,
        "Events": list(target.events),
    }
    rules = []
    if target.key_filter.prefix is not None:
        rules.append({"Name": "Prefix", "Value": target.key_filter.prefix})
    if target.key_filter.suffix is not None:
        rules.append({"Name": "Suffix", "Value": target.key_filter.suffix})
    if rules:
        item["Filter"] = {"Key": {"FilterRules": rules}}
    return item


def parse_notification_configuration(
    config: dict[str, Any],
    *,
    destination_exists: Callable[[str, str], bool] | None = None,
) -> NotificationConfiguration:
    """Validate a configuration the way S3 does and return it with every ``Id`` filled in.

    `destination_exists(kind, arn)` checks a destination (kind is ``function``, ``topic`` or
    ``queue``); leave it None to skip the check, as ``x-amz-skip-destination-validation`` does.
    Raises `MalformedXML` when a required member is missing and `InvalidArgument` otherwise.
    """
    targets = tuple(
        _parse_target(section, item)
        for section in _SECTIONS
        for item in _as_list(config.get(section.list_key))
    )
    _check_overlaps(targets)
    if destination_exists is not None:
        _check_destinations(targets, destination_exists)
    return NotificationConfiguration(targets, "EventBridgeConfiguration" in config)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedXML()
    return value


def _parse_target(section: _Section, item: Any) -> NotificationTarget:
    if not isinstance(item, dict) or not item.get(section.arn_key) or not item.get("Events"):
        raise MalformedXML()
    arn = str(item[section.arn_key])
    parsed = _ARN.match(arn)
    if (
        parsed is None
        or parsed.group(1) != section.service
        or (section.kind == "function" and not _FUNCTION_RESOURCE.match(parsed.group(2)))
    ):
        raise InvalidArgument(
            "The ARN could not be parsed", ArgumentName=section.xml_name, ArgumentValue=arn
        )
    events = tuple(str(e) for e in _as_list(item["Events"]))
    for event in events:
        if event not in EVENT_TYPES:
            # (inf) S3 names the argument as it does for overlaps; not seen in a recording.
            raise InvalidArgument(
                "The event is not supported for notifications",
                ArgumentName="Event",
                ArgumentValue=event,
            )
    return NotificationTarget(
        kind=section.kind,
        arn=arn,
        configuration_id=str(item.get("Id") or new_configuration_id()),
        events=events,
        key_filter=_parse_filter(item.get("Filter")),
    )


def _parse_filter(value: Any) -> KeyFilter:
    if not value:
        return KeyFilter()
    if not isinstance(value, dict) or not isinstance(value.get("Key") or {}, dict):
        raise MalformedXML()
    found: dict[str, str] = {}
    for rule in _as_list((value.get("Key") or {}).get("FilterRules")):
        if not isinstance(rule, dict) or "Name" not in rule or "Value" not in rule:
            raise MalformedXML()
        name, text = str(rule["Name"]), str(rule["Value"])
        # The model's enum is lower case, but S3 accepts any case (snapshot
        # test_filter_rules_case_insensitive: "PREFIX" and "suffix" both pass).
        canonical = name.lower()
        if canonical not in ("prefix", "suffix"):
            raise InvalidArgument(
                "filter rule name must be either prefix or suffix",
                ArgumentName="FilterRule.Name",
                ArgumentValue=name,
            )
        if canonical in found:
            raise InvalidArgument(
                f"Cannot specify more than one {canonical} rule in a filter.",
                ArgumentName="FilterRule.Name",
                ArgumentValue=name,
            )
        if len(text.encode("utf-8")) > _MAX_RULE_VALUE_BYTES:
            raise InvalidArgument(
                "Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation",
                ArgumentName="FilterRule.Value",
                ArgumentValue=text,
            )
        found[canonical] = text
    return KeyFilter(prefix=found.get("prefix"), suffix=found.get("suffix"))


def _check_overlaps(targets: tuple[NotificationTarget, ...]) -> None:
    for i, first in enumerate(targets):
        for second in targets[i + 1 :]:
            if not (
                events_overlap(first.events, second.events)
                and first.key_filter.overlaps(second.key_filter)
            ):
                continue
            # Reports show the plain message when neither side filters keys, and the
            # "ambiguously defined" one when filters exist but still overlap.
            if first.key_filter.is_empty and second.key_filter.is_empty:
                raise InvalidArgument(
                    "Configurations overlap. Configurations on the same bucket cannot share "
                    "a common event type.",
                    ArgumentName="Event",
                )
            raise InvalidArgument(
                "Configuration is ambiguously defined. Cannot have overlapping suffixes in two "
                "rules if the prefixes are overlapping for the same event type."
            )


def _check_destinations(
    targets: tuple[NotificationTarget, ...], exists: Callable[[str, str], bool]
) -> None:
    # Recorded AWS answers: a missing queue is reported as such; for a function S3 only
    # learns that it may not invoke it, and names the ARN with a trailing ", null".
    fields: dict[str, str] = {}
    failed: set[str] = set()
    for target in targets:
        if target.arn in failed or exists(target.kind, target.arn):
            continue
        failed.add(target.arn)
        name, value = target.arn, f"The destination {target.kind} does not exist"
        if target.kind == "function":
            name, value = f"{name}, null", f"Not authorized to invoke function [{target.arn}]"
        fields[f"ArgumentName{len(failed)}"] = name
        fields[f"ArgumentValue{len(failed)}"] = value
    if fields:
        message = "Unable to validate the following destination configurations"
        raise InvalidArgument(message, **fields)


def matching_targets(
    config: NotificationConfiguration, event_name: str, key: str, *,
    encoded_key: str | None = None,
) -> list[NotificationTarget]:
    """The targets to notify of `event_name` (``s3:ObjectCreated:Put``) on raw `key`
    (``encoded_key``: the key already URL-encoded, if the caller has it).

    S3 compares filter values with the key as its events spell it, URL-encoded: the user
    guide (notification-how-to-filtering) asks for ``+`` in place of a space in a prefix and
    percent-encoding for other special characters.
    """
    name = event_name if event_name.startswith("s3:") else f"s3:{event_name}"
    encoded = encode_key(key) if encoded_key is None else encoded_key
    return [target for target in config.targets_for(name) if target.key_filter.matches(encoded)]


def new_configuration_id() -> str:
    """An ``Id`` for a configuration given without one: base64 of a UUID's text, as S3 does."""
    return base64.b64encode(str(uuid.uuid4()).encode("ascii")).decode("ascii")
