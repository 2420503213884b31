"""S3 event notification documents, exactly as S3 sends them.

The record layout and key order follow the examples in
https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html and
the records AWS delivered in localstack's AWS-validated snapshots
(``tests/aws/services/s3/test_s3_notifications_{sqs,sns}.snapshot.json``)::

    {"Records": [{eventVersion, eventSource, awsRegion, eventTime, eventName,
                  userIdentity, requestParameters, responseElements,
                  s3: {s3SchemaVersion, configurationId,
                       bucket: {name, ownerIdentity, arn},
                       object: {key, size?, eTag?, versionId?, sequencer?}}}]}

Which ``object`` fields appear depends on the event type (see `s3_event_record`).
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
from json.encoder import encode_basestring_ascii as _js
from typing import Any
from urllib.parse import quote_plus

from eventsim.ids import random_bytes, random_hex

__all__ = [
    "EMPTY_ETAG",
    "encode_key",
    "event_version_for",
    "format_event_time",
    "new_host_id",
    "new_request_id",
    "s3_event",
    "s3_event_json",
    "s3_event_record",
    "s3_test_event",
    "sequencer_for",
]

EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e"
"""MD5 of zero bytes: the eTag S3 puts on ``ObjectRemoved:DeleteMarkerCreated`` records."""

_SEQUENCER_DIGITS = 18  # AWS's own sequencers are 18 hex digits, e.g. 0055AED6DCD90281E5
_HOST_ID_BYTES = 56  # base64 of 56 bytes is 76 characters, the length of real x-amz-id-2 values


_UNCHANGED_BY_QUOTING = re.compile(r"[A-Za-z0-9_.~/-]*")


def encode_key(key: str) -> str:
    """The object key as it appears in an event: form-URL-encoded, ``/`` kept.

    S3 documents ``red flower.jpg`` -> ``red+flower.jpg``; recorded events show ``a@b`` ->
    ``a%40b`` and ``+`` -> ``%2B``. ``quote_plus(key, safe="/")`` reproduces every observed pair.
    """
    if _UNCHANGED_BY_QUOTING.fullmatch(key):  # most keys: skip the (slow) quoting
        return key
    return quote_plus(key, safe="/")


_second_cache: list[Any] = [None, ""]


def format_event_time(epoch_seconds: float) -> str:
    """ISO-8601 UTC with milliseconds and ``Z``, e.g. ``2019-09-03T19:37:27.192Z``."""
    # Work in whole milliseconds: a float such as 1567539447.192 is 1567539447.19199...,
    # and truncating its microseconds would print .191. The formatted second is kept: many
    # events share one.
    millis = round(epoch_seconds * 1000)
    seconds, ms = divmod(millis, 1000)
    if _second_cache[0] != seconds:
        moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        _second_cache[0], _second_cache[1] = seconds, moment.strftime("%Y-%m-%dT%H:%M:%S.")
    return f"{_second_cache[1]}{ms:03d}Z"


def event_version_for(event_name: str) -> str:
    """The ``eventVersion`` S3 stamps on a record of this event type.

    Recorded events show ``2.1`` for created/removed/restore, ``2.2`` for replication and
    ``2.3`` for tagging, ACL, lifecycle and Intelligent-Tiering events and ObjectRestore:Delete.
    """
    version = _event_versions.get(event_name)
    if version is None:
        # A handful of names exist: remember each one's answer (one is asked per event).
        version = _event_versions[event_name] = _event_version(_bare(event_name))
    return version


_event_versions: dict[str, str] = {}


def _event_version(name: str) -> str:
    if name.startswith("Replication:"):
        return "2.2"
    if name.startswith(("ObjectTagging:", "ObjectAcl:", "LifecycleExpiration:")) or name in (
        "LifecycleTransition",
        "IntelligentTiering",
        "ObjectRestore:Delete",
    ):
        return "2.3"
    return "2.1"


def s3_event_record(
    *,
    event_name: str,
    bucket: str,
    key: str,
    region: str,
    event_time: float,
    configuration_id: str,
    request_id: str,
    host_id: str,
    principal_id: str,
    source_ip: str,
    size: int | None,
    etag: str | None,
    sequencer: str | None,
    version_id: str | None = None,
    owner_id: str,
) -> dict[str, Any]:
    """One record of an S3 event notification, field for field as AWS sends it.

    `event_name` may carry the ``s3:`` prefix of the configuration; the record drops it.
    `key` is the raw key (it is encoded here); `etag` is the bare hex digest, without quotes.
    The event type decides which object fields exist, whatever the caller passes:

    - ``ObjectRemoved:*``: no ``size``, no ``eTag``, except that ``DeleteMarkerCreated``
      carries the empty-object eTag;
    - ``ObjectTagging:*`` and ``ObjectAcl:Put``: no ``size`` and no ``sequencer``;
    - otherwise ``size``, ``eTag`` and ``sequencer`` appear when given.

    ``versionId`` appears only when given (S3 omits it for unversioned buckets).
    """
    name = _bare(event_name)
    obj = dict(_object_fields(name, encode_key(key), size, etag, version_id, sequencer))
    return {
        "eventVersion": event_version_for(name),
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": format_event_time(event_time),
        "eventName": name,
        "userIdentity": {"principalId": principal_id},
        "requestParameters": {"sourceIPAddress": source_ip},
        "responseElements": {"x-amz-request-id": request_id, "x-amz-id-2": host_id},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration_id,
            "bucket": {
                "name": bucket,
                "ownerIdentity": {"principalId": owner_id},
                "arn": f"arn:aws:s3:::{bucket}",
            },
            "object": obj,
        },
    }


def s3_event_json(
    event_name: str,
    bucket: str,
    key: str,
    region: str,
    event_time: float,
    configuration_id: str,
    request_id: str,
    host_id: str,
    principal_id: str,
    source_ip: str,
    size: int | None,
    etag: str | None,
    sequencer: str | None,
    owner_id: str,
    version_id: str | None = None,
    encoded_key: str | None = None,
) -> str:
    """``json.dumps(s3_event([s3_event_record(...)]), separators=(",", ":"))``, written out
    directly: one is built for every notification, and this is several times faster.
    ``encoded_key``: `encode_key` of `key`, if the caller has it already. The arguments may be
    given by position (the notifier does: sixteen keywords cost a microsecond).

    The two must never differ; a test holds them together over every event type.
    """
    name = _bare(event_name)
    encoded = encode_key(key) if encoded_key is None else encoded_key
    if (version_id is None and size is not None and etag is not None and sequencer is not None
            and name.startswith("ObjectCreated:")):
        # What nearly every event is: the members `_object_fields` gives a created object.
        bare_etag = etag.strip('"')
        obj = (f'"key":{_js(encoded)},"size":{int(size)},"eTag":{_js(bare_etag)},'
               f'"sequencer":{_js(sequencer)}')
    else:
        obj = ",".join(
            f'"{field}":{value}' if field == "size" else f'"{field}":{_js(value)}'
            for field, value in _object_fields(name, encoded, size, etag, version_id, sequencer)
        )
    head, middle, tail = _template(name, region, principal_id, source_ip, configuration_id,
                                   bucket, owner_id)
    return (f"{head}{format_event_time(event_time)}{middle}{_js(request_id)},"
            f'"x-amz-id-2":{_js(host_id)}{tail}{obj}}}}}}}]}}')


_templates: dict[tuple[str, str, str, str, str, str, str], tuple[str, str, str]] = {}


def _template(
    name: str, region: str, principal_id: str, source_ip: str, configuration_id: str,
    bucket: str, owner_id: str,
) -> tuple[str, str, str]:
    """The parts of a record that are the same for every event of one type, bucket,
    configuration and principal: before the event time, between it and the request id, and
    between the host id and the object's members. Made once for each (a handful exist), with
    one f-string rather than a chain of ``+`` (each ``+`` copies the whole record so far)."""
    key = (name, region, principal_id, source_ip, configuration_id, bucket, owner_id)
    parts = _templates.get(key)
    if parts is None:
        if len(_templates) >= 4096:  # many buckets and configurations: start over
            _templates.clear()
        parts = _templates[key] = (
            f'{{"Records":[{{"eventVersion":"{event_version_for(name)}","eventSource":"aws:s3",'
            f'"awsRegion":{_js(region)},"eventTime":"',
            f'","eventName":{_js(name)},"userIdentity":{{"principalId":{_js(principal_id)}}},'
            f'"requestParameters":{{"sourceIPAddress":{_js(source_ip)}}},'
            f'"responseElements":{{"x-amz-request-id":',
            f'}},"s3":{{"s3SchemaVersion":"1.0","configurationId":{_js(configuration_id)},'
            f'"bucket":{{"name":{_js(bucket)},"ownerIdentity":{{"principalId":{_js(owner_id)}}},'
            f'"arn":{_js("arn:aws:s3:::" + bucket)}}},"object":{{',
        )
    return parts


def _object_fields(
    name: str, encoded_key: str, size: int | None, etag: str | None, version_id: str | None,
    sequencer: str | None,
) -> list[tuple[str, Any]]:
    """The ``s3.object`` members a record of event type `name` carries, in AWS's order."""
    removed = name.startswith("ObjectRemoved:")
    metadata_only = name.startswith(("ObjectTagging:", "ObjectAcl:"))
    fields: list[tuple[str, Any]] = [("key", encoded_key)]
    if size is not None and not (removed or metadata_only):
        fields.append(("size", int(size)))
    if name == "ObjectRemoved:DeleteMarkerCreated":
        fields.append(("eTag", EMPTY_ETAG))
    elif etag is not None and not removed:
        fields.append(("eTag", etag.strip('"')))
    if version_id is not None:
        fields.append(("versionId", version_id))
    if sequencer is not None and not metadata_only:
        fields.append(("sequencer", sequencer))
    return fields


def s3_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The envelope around records. S3 sends one record per notification in practice."""
    return {"Records": records}


def s3_test_event(
    *, bucket: str, event_time: float, request_id: str, host_id: str
) -> dict[str, Any]:
    """The flat ``s3:TestEvent`` S3 sends to queues and topics when a configuration is saved.

    It is not a ``Records`` envelope, and Lambda destinations never receive it.
    """
    return {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": format_event_time(event_time),
        "Bucket": bucket,
        "RequestId": request_id,
        "HostId": host_id,
    }


def sequencer_for(counter: int) -> str:
    """An uppercase-hex sequencer that grows with `counter`.

    S3 says to compare two sequencers of one key by left-padding the shorter with zeros and
    comparing the strings; zero-padding to a fixed width makes plain string order agree with it
    (and a counter past 18 digits only makes the string longer, which the rule still orders).
    """
    if counter < 0:
        raise ValueError("a sequencer counter cannot be negative")
    return f"{counter:0{_SEQUENCER_DIGITS}X}"


def new_request_id() -> str:
    """A fresh ``x-amz-request-id``: 16 uppercase hex digits, like ``D82B88E5F771F645``."""
    return random_hex(16, upper=True)


def new_host_id() -> str:
    """A fresh ``x-amz-id-2``: 76 characters of base64, like the ids S3 returns."""
    # Straight from random bytes: going through 112 hex digits and back cost several times as
    # much, and every write through the Python API makes one (binascii: base64.b64encode is a
    # Python wrapper around it).
    return binascii.b2a_base64(random_bytes(_HOST_ID_BYTES), newline=False).decode("ascii")


def _bare(event_name: str) -> str:
    return event_name.removeprefix("s3:")
