"""The S3 service: buckets, objects and bucket notifications.

Each method is one S3 operation (named ``xform_name(Operation)``), takes the operation's input
members as snake_case keywords and returns a dict keyed by the output shape's members, so the
gateway, scenario runner, pytest helpers and console all call the same code.

A write and the notification events it produces commit in one transaction (the outbox).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import sqlite3
from typing import Any
from urllib.parse import unquote

from eventsim.errors import InvalidArgument, InvalidRequest, MalformedXML, NotImplementedOperation
from eventsim.events import s3 as s3_events
from eventsim.ids import new_uuid
from eventsim.services.base import Pending, ServiceContext, record_traced_write
from eventsim.services.lambda_.arns import function_name_from_arn
from eventsim.services.s3 import listing
from eventsim.services.s3.errors import (
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    IllegalLocationConstraintException,
    InvalidLocationConstraint,
    KeyTooLongError,
    NoSuchBucket,
    NoSuchKey,
    NotModified,
    PreconditionFailed,
)
from eventsim.services.s3.models import (
    StoredObject,
    compute_etag,
    parse_range,
    validate_bucket_name,
)
from eventsim.services.s3.notifications import (
    NotificationConfiguration,
    matching_targets,
    parse_notification_configuration,
)
from eventsim.store.outbox import OutboxRow, add_outbox_row
from eventsim.store.queue import insert_queued_event
from eventsim.tracing import Cause, RequestIds, current_request

__all__ = ["S3Service"]

LOG = logging.getLogger(__name__)

_DEFAULT_CONTENT_TYPE = "binary/octet-stream"
# Headers S3 stores with an object and returns on GET/HEAD.
_STORED_HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage",
                   "Expires", "WebsiteRedirectLocation")
_OWNER = {
    "DisplayName": "eventsim",
    "ID": "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a",
}
_OWNER_PRINCIPAL = "A3NL1KOZZKEXAMPLE"
_INLINE_BODY_BYTES = 1 << 20
"""Bodies up to this size are read on the event loop's thread (see `eventsim.store`)."""


def _timestamp(epoch: float) -> dt.datetime:
    # S3 reports times to the millisecond (XML) and second (headers).
    return dt.datetime.fromtimestamp(round(epoch, 3), tz=dt.UTC)


class S3Service:
    """Buckets, objects and their notifications, stored in SQLite."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._notifications: dict[str, NotificationConfiguration] = {}
        # Sequencers must grow per key across restarts: start from the clock in microseconds.
        self._sequence = itertools.count(int(ctx.clock.time() * 1_000_000))

    async def load(self) -> None:
        """Read the notification configurations into memory (called at start)."""
        rows = await self._ctx.db.read(
            lambda c: c.execute("SELECT bucket, configuration FROM bucket_notifications").fetchall()
        )
        self._notifications = {
            r["bucket"]: NotificationConfiguration.from_json(r["configuration"]) for r in rows
        }

    # -- buckets ---------------------------------------------------------------------------

    async def create_bucket(
        self,
        *,
        bucket: str,
        create_bucket_configuration: dict[str, Any] | None = None,
        acl: str | None = None,
        object_ownership: str | None = None,
    ) -> dict[str, Any]:
        """CreateBucket. In us-east-1, creating a bucket you already own succeeds (legacy)."""
        validate_bucket_name(bucket)
        constraint = (create_bucket_configuration or {}).get("LocationConstraint") or None
        home = self._ctx.region
        if home == "us-east-1":
            if constraint == "us-east-1":
                raise InvalidLocationConstraint(constraint)
            if constraint is not None:
                raise IllegalLocationConstraintException(constraint)
        elif constraint != home:
            raise IllegalLocationConstraintException(constraint or "unspecified")
        now = self._ctx.clock.time()

        def unit(conn: sqlite3.Connection) -> None:
            exists = conn.execute("SELECT 1 FROM buckets WHERE name = ?", (bucket,)).fetchone()
            if exists:
                if home == "us-east-1":
                    return
                raise BucketAlreadyOwnedByYou(bucket)
            conn.execute(
                "INSERT INTO buckets (name, region, created_at) VALUES (?,?,?)",
                (bucket, home, now),
            )

        await self._ctx.db.write(unit)
        return {"Location": f"/{bucket}"}

    async def delete_bucket(self, *, bucket: str) -> dict[str, Any]:
        """DeleteBucket: only an empty bucket."""

        def unit(conn: sqlite3.Connection) -> None:
            _require_bucket(conn, bucket)
            if conn.execute("SELECT 1 FROM objects WHERE bucket = ? LIMIT 1", (bucket,)).fetchone():
                raise BucketNotEmpty(bucket)
            conn.execute("DELETE FROM buckets WHERE name = ?", (bucket,))

        await self._ctx.db.write(unit)
        self._notifications.pop(bucket, None)
        return {}

    async def head_bucket(self, *, bucket: str) -> dict[str, Any]:
        """HeadBucket."""
        row = await self._ctx.db.read(
            lambda c: c.execute("SELECT region FROM buckets WHERE name = ?", (bucket,)).fetchone()
        )
        if row is None:
            raise NoSuchBucket(bucket)
        return {"BucketRegion": row["region"]}

    async def list_buckets(self, **_: Any) -> dict[str, Any]:
        """ListBuckets."""
        rows = await self._ctx.db.read(
            lambda c: c.execute("SELECT name, created_at FROM buckets ORDER BY name").fetchall()
        )
        return {
            "Buckets": [
                {"Name": r["name"], "CreationDate": _timestamp(r["created_at"])} for r in rows
            ],
            "Owner": dict(_OWNER),
        }

    # -- objects ---------------------------------------------------------------------------

    async def put_object(
        self,
        *,
        bucket: str,
        key: str,
        body: bytes = b"",
        content_type: str | None = None,
        metadata: dict[str, str] | None = None,
        cache_control: str | None = None,
        content_disposition: str | None = None,
        content_encoding: str | None = None,
        content_language: str | None = None,
        expires: dt.datetime | str | None = None,
        website_redirect_location: str | None = None,
        if_none_match: str | None = None,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        """PutObject; notifies ``s3:ObjectCreated:Put`` targets in the same transaction."""
        _validate_key(key)
        headers = _headers(
            CacheControl=cache_control,
            ContentDisposition=content_disposition,
            ContentEncoding=content_encoding,
            ContentLanguage=content_language,
            Expires=_http_date(expires),
            WebsiteRedirectLocation=website_redirect_location,
        )
        etag = compute_etag(body)
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"s3:ObjectCreated:Put {bucket}/{key}", now)
        pending = Pending(ids=current_request.get())

        def unit(conn: sqlite3.Connection) -> None:
            if if_none_match is not None or if_match is not None:
                _require_bucket(conn, bucket)
                current = conn.execute(
                    "SELECT etag FROM objects WHERE bucket = ? AND key = ?", (bucket, key)
                ).fetchone()
                if if_none_match == "*" and current is not None:
                    raise PreconditionFailed("If-None-Match")
                mismatch = current is None or current["etag"] != _quoted(if_match or "")
                if if_match is not None and mismatch:
                    if current is None:
                        raise NoSuchKey(key)
                    raise PreconditionFailed("If-Match")
            self._store(conn, bucket, key, body, etag, now, content_type, metadata or {}, headers)
            self._notify(conn, pending, "ObjectCreated:Put", bucket, key, len(body), etag, now,
                         cause)
            record_traced_write(conn, cause, "s3:PutObject", f"arn:aws:s3:::{bucket}/{key}", now)

        await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        return {"ETag": etag}

    async def get_object(
        self,
        *,
        bucket: str,
        key: str,
        range: str | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        part_number: int | None = None,
    ) -> dict[str, Any]:
        """GetObject, with a byte range when asked."""
        if part_number is not None:
            raise NotImplementedOperation("eventsim does not implement GetObject with PartNumber.")
        size = await self._ctx.db.read(lambda c: _size(c, bucket, key))
        obj, body = await self._ctx.db.read(
            lambda c: _load(c, bucket, key, with_body=True),
            # A large body is read on the database's thread, so the loop keeps serving.
            offload=size is not None and size > _INLINE_BODY_BYTES,
        )
        result = _describe(obj, if_match, if_none_match)
        if range is not None:
            chosen = parse_range(range, obj.size)
            if chosen is not None:
                body = body[chosen.start : chosen.end + 1]
                result["ContentRange"] = chosen.content_range(obj.size)
        result["ContentLength"] = len(body)
        result["Body"] = body
        return result

    async def head_object(
        self,
        *,
        bucket: str,
        key: str,
        range: str | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
    ) -> dict[str, Any]:
        """HeadObject."""
        obj, _ = await self._ctx.db.read(lambda c: _load(c, bucket, key, with_body=False))
        result = _describe(obj, if_match, if_none_match)
        if range is not None:
            chosen = parse_range(range, obj.size)
            if chosen is not None:
                result["ContentRange"] = chosen.content_range(obj.size)
                result["ContentLength"] = chosen.end - chosen.start + 1
        return result

    async def delete_object(self, *, bucket: str, key: str) -> dict[str, Any]:
        """DeleteObject; deleting a missing key succeeds, as in an unversioned bucket."""
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"s3:ObjectRemoved:Delete {bucket}/{key}", now)
        pending = Pending(ids=current_request.get())

        def unit(conn: sqlite3.Connection) -> None:
            _require_bucket(conn, bucket)
            self._delete(conn, pending, bucket, key, now, cause)

        await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        return {}

    async def delete_objects(
        self, *, bucket: str, delete: dict[str, Any],
        bypass_governance_retention: bool | None = None,
    ) -> dict[str, Any]:
        """DeleteObjects: up to 1,000 keys, each reported deleted (or, quietly, not at all)."""
        objects = delete.get("Objects") or []
        if len(objects) > 1000:
            raise MalformedXML()
        quiet = bool(delete.get("Quiet"))
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"s3:DeleteObjects {bucket}", now)
        pending = Pending(ids=current_request.get())

        def unit(conn: sqlite3.Connection) -> None:
            _require_bucket(conn, bucket)
            for item in objects:
                self._delete(conn, pending, bucket, item["Key"], now, cause)

        await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        deleted = [] if quiet else [{"Key": item["Key"]} for item in objects]
        return {"Deleted": deleted, "Errors": []}

    async def copy_object(
        self,
        *,
        bucket: str,
        key: str,
        copy_source: str,
        metadata_directive: str | None = None,
        metadata: dict[str, str] | None = None,
        content_type: str | None = None,
        cache_control: str | None = None,
        content_disposition: str | None = None,
        content_encoding: str | None = None,
        content_language: str | None = None,
    ) -> dict[str, Any]:
        """CopyObject; notifies ``s3:ObjectCreated:Copy``."""
        src_bucket, src_key = _parse_copy_source(copy_source)
        directive = (metadata_directive or "COPY").upper()
        if directive not in ("COPY", "REPLACE"):
            raise InvalidArgument("Unknown metadata directive.",
                                  ArgumentName="x-amz-metadata-directive",
                                  ArgumentValue=metadata_directive or "")
        if src_bucket == bucket and src_key == key and directive == "COPY":
            raise InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself "
                "without changing the object's metadata, storage class, website redirect "
                "location or encryption attributes."
            )
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"s3:ObjectCreated:Copy {bucket}/{key}", now)
        replaced = _headers(
            CacheControl=cache_control, ContentDisposition=content_disposition,
            ContentEncoding=content_encoding, ContentLanguage=content_language,
        )

        pending = Pending(ids=current_request.get())

        def unit(conn: sqlite3.Connection) -> str:
            _require_bucket(conn, src_bucket)
            source, body = _load(conn, src_bucket, src_key, with_body=True)
            _require_bucket(conn, bucket)
            if directive == "REPLACE":
                ctype, meta, headers = content_type, metadata or {}, replaced
            else:
                ctype, meta, headers = source.content_type, source.metadata, source.headers
            self._store(conn, bucket, key, body, source.etag, now, ctype, meta, headers)
            self._notify(conn, pending, "ObjectCreated:Copy", bucket, key, source.size,
                         source.etag, now, cause)
            record_traced_write(conn, cause, "s3:CopyObject", f"arn:aws:s3:::{bucket}/{key}", now)
            return source.etag

        etag = await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        return {"CopyObjectResult": {"ETag": etag, "LastModified": _timestamp(now)}}

    async def list_objects_v2(
        self,
        *,
        bucket: str,
        prefix: str | None = None,
        delimiter: str | None = None,
        max_keys: int | None = None,
        continuation_token: str | None = None,
        start_after: str | None = None,
        encoding_type: str | None = None,
        fetch_owner: bool | None = None,
    ) -> dict[str, Any]:
        """ListObjectsV2."""
        limit = _max_keys(max_keys)
        start: listing.Bound | None = None
        if continuation_token is not None:
            start = listing.decode_token(continuation_token)
            if start is None:
                raise InvalidArgument("The continuation token provided is incorrect",
                                      ArgumentName="continuation-token")
        elif start_after:
            start = listing.Bound(start_after, inclusive=False)
        found = await self._ctx.db.read(
            lambda c: _list(c, bucket, prefix or "", delimiter or None, start, limit)
        )
        encode = _encoder(encoding_type)
        result: dict[str, Any] = {
            "IsTruncated": found.truncated,
            "Contents": [_content(r, encode, fetch_owner) for r in found.contents],
            "Name": bucket,
            "Prefix": encode(prefix or ""),
            "MaxKeys": limit,
            "CommonPrefixes": [{"Prefix": encode(p)} for p in found.common_prefixes],
            "KeyCount": len(found.contents) + len(found.common_prefixes),
        }
        if delimiter:
            result["Delimiter"] = encode(delimiter)
        if encoding_type:
            result["EncodingType"] = encoding_type
        if continuation_token is not None:
            result["ContinuationToken"] = continuation_token
        if start_after:
            result["StartAfter"] = encode(start_after)
        if found.truncated and found.next is not None:
            result["NextContinuationToken"] = listing.encode_token(found.next)
        return result

    async def list_objects(
        self,
        *,
        bucket: str,
        prefix: str | None = None,
        delimiter: str | None = None,
        marker: str | None = None,
        max_keys: int | None = None,
        encoding_type: str | None = None,
    ) -> dict[str, Any]:
        """ListObjects (version 1)."""
        limit = _max_keys(max_keys)
        start = None
        if marker:
            if delimiter and marker.endswith(delimiter):
                # A NextMarker that was a common prefix resumes after all of its keys.
                start = listing.Bound(marker[:-1] + chr(ord(marker[-1]) + 1), inclusive=True)
            else:
                start = listing.Bound(marker, inclusive=False)
        found = await self._ctx.db.read(
            lambda c: _list(c, bucket, prefix or "", delimiter or None, start, limit)
        )
        encode = _encoder(encoding_type)
        result: dict[str, Any] = {
            "IsTruncated": found.truncated,
            "Marker": encode(marker or ""),
            "Contents": [_content(r, encode, True) for r in found.contents],
            "Name": bucket,
            "Prefix": encode(prefix or ""),
            "MaxKeys": limit,
            "CommonPrefixes": [{"Prefix": encode(p)} for p in found.common_prefixes],
        }
        if delimiter:
            result["Delimiter"] = encode(delimiter)
            if found.truncated:
                last = (found.common_prefixes + [r["key"] for r in found.contents])
                result["NextMarker"] = encode(max(last)) if last else ""
        if encoding_type:
            result["EncodingType"] = encoding_type
        return result

    # -- notifications ---------------------------------------------------------------------

    async def put_bucket_notification_configuration(
        self,
        *,
        bucket: str,
        notification_configuration: dict[str, Any],
        skip_destination_validation: bool | None = None,
    ) -> dict[str, Any]:
        """PutBucketNotificationConfiguration; sends ``s3:TestEvent`` to queues and topics."""
        await self.head_bucket(bucket=bucket)
        exists = None if skip_destination_validation else self._ctx.resource_exists
        config = parse_notification_configuration(
            notification_configuration, destination_exists=exists
        )
        now = self._ctx.clock.time()
        ids = current_request.get() or _new_request_ids()
        test_event = json.dumps(
            s3_events.s3_test_event(
                bucket=bucket, event_time=now, request_id=ids.request_id,
                host_id=ids.host_id or s3_events.new_host_id(),
            ),
            separators=(",", ":"),
        )
        cause = Cause.for_write(f"s3:TestEvent {bucket}", now)

        def unit(conn: sqlite3.Connection) -> None:
            _require_bucket(conn, bucket)
            conn.execute(
                "INSERT OR REPLACE INTO bucket_notifications (bucket, configuration) VALUES (?,?)",
                (bucket, config.to_json()),
            )
            # S3 tests each new queue and topic destination with a test message.
            for target in config.targets:
                if target.kind in ("queue", "topic"):
                    add_outbox_row(conn, OutboxRow(
                        target_kind=target.kind, target=target.arn, payload=test_event,
                        cause=cause.to_json(), created_at=now,
                    ))

        await self._ctx.db.write(unit)
        self._notifications[bucket] = config
        self._ctx.wake_dispatcher()
        return {}

    async def get_bucket_notification_configuration(
        self, *, bucket: str, expected_bucket_owner: str | None = None
    ) -> dict[str, Any]:
        """GetBucketNotificationConfiguration."""
        await self.head_bucket(bucket=bucket)
        config = self._notifications.get(bucket)
        return config.to_api() if config else {}

    # -- inside units (connection thread) --------------------------------------------------

    def _store(
        self,
        conn: sqlite3.Connection,
        bucket: str,
        key: str,
        body: bytes,
        etag: str,
        now: float,
        content_type: str | None,
        metadata: dict[str, str],
        headers: dict[str, str],
    ) -> None:
        meta = json.dumps({k.lower(): v for k, v in metadata.items()}) if metadata else "{}"
        try:
            conn.execute(
                "INSERT OR REPLACE INTO objects (bucket, key, body, size, etag, last_modified, "
                "content_type, metadata, headers) VALUES (?,?,?,?,?,?,?,?,?)",
                (bucket, key, body, len(body), etag, now, content_type, meta,
                 json.dumps(headers) if headers else "{}"),
            )
        except sqlite3.IntegrityError:
            # The foreign key on objects.bucket is the existence check.
            raise NoSuchBucket(bucket) from None

    def _delete(
        self, conn: sqlite3.Connection, pending: Pending, bucket: str, key: str, now: float,
        cause: Cause,
    ) -> None:
        gone = conn.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket, key))
        if gone.rowcount:
            self._notify(conn, pending, "ObjectRemoved:Delete", bucket, key, None, None, now,
                         cause)
            record_traced_write(conn, cause, "s3:DeleteObject", f"arn:aws:s3:::{bucket}/{key}", now)

    def _notify(
        self,
        conn: sqlite3.Connection,
        pending: Pending,
        event_name: str,
        bucket: str,
        key: str,
        size: int | None,
        etag: str | None,
        now: float,
        cause: Cause,
    ) -> None:
        config = self._notifications.get(bucket)
        if config is None:
            return
        encoded_key = s3_events.encode_key(key)
        targets = matching_targets(config, "s3:" + event_name, key, encoded_key=encoded_key)
        if not targets:
            return
        sequencer = s3_events.sequencer_for(next(self._sequence))
        ids = pending.ids
        if ids is None:  # a write through the Python API: one pair for the whole call
            ids = pending.ids = _new_request_ids()
        request_id, host_id = ids.request_id, ids.host_id or s3_events.new_host_id()
        cause_json = cause.to_json()
        for target in targets:
            payload = s3_events.s3_event_json(
                event_name=event_name, bucket=bucket, key=key, region=self._ctx.region,
                event_time=now, configuration_id=target.configuration_id,
                request_id=request_id, host_id=host_id, principal_id=_principal(cause),
                source_ip="127.0.0.1", size=size, etag=etag.strip('"') if etag else None,
                sequencer=sequencer, owner_id=_OWNER_PRINCIPAL, encoded_key=encoded_key,
            )
            if target.kind == "function":
                # S3 invokes functions asynchronously: the outbox row for a function target
                # is its row in the invoke queue.
                pending.events.append(insert_queued_event(
                    conn, function=function_name_from_arn(target.arn), payload=payload,
                    cause=cause, cause_json=cause_json, now=now, request_id=new_uuid(),
                ))
            else:
                add_outbox_row(conn, OutboxRow(
                    target_kind=target.kind, target=target.arn, payload=payload,
                    cause=cause_json, created_at=now,
                ))
                pending.outbox = True


# -- helpers -------------------------------------------------------------------------------


def _new_request_ids() -> RequestIds:
    """Ids for the events of a write made through the Python API (the gateway's requests
    have their own, in `current_request`, which the events then carry)."""
    return RequestIds(s3_events.new_request_id(), s3_events.new_host_id())


def _principal(cause: Cause) -> str:
    # A write from a handler is made by the function's role session; others by the user.
    return "AWS:AROAEVENTSIMLAMBDA:eventsim" if cause.parent_span else "AWS:AIDAEVENTSIMUSER"


def _validate_key(key: str) -> None:
    if not key:
        raise InvalidArgument("Key must not be empty", ArgumentName="key")
    if len(key.encode("utf-8")) > 1024:
        raise KeyTooLongError()


def _require_bucket(conn: sqlite3.Connection, bucket: str) -> None:
    if conn.execute("SELECT 1 FROM buckets WHERE name = ?", (bucket,)).fetchone() is None:
        raise NoSuchBucket(bucket)


def _size(conn: sqlite3.Connection, bucket: str, key: str) -> int | None:
    row = conn.execute(
        "SELECT size FROM objects WHERE bucket = ? AND key = ?", (bucket, key)
    ).fetchone()
    return None if row is None else int(row["size"])


def _load(
    conn: sqlite3.Connection, bucket: str, key: str, *, with_body: bool
) -> tuple[StoredObject, bytes]:
    columns = "size, etag, last_modified, content_type, metadata, headers"
    if with_body:
        columns += ", body"
    row = conn.execute(
        f"SELECT {columns} FROM objects WHERE bucket = ? AND key = ?", (bucket, key)
    ).fetchone()
    if row is None:
        _require_bucket(conn, bucket)
        raise NoSuchKey(key)
    obj = StoredObject(
        bucket=bucket, key=key, size=row["size"], etag=row["etag"],
        last_modified=row["last_modified"], content_type=row["content_type"],
        metadata=json.loads(row["metadata"]), headers=json.loads(row["headers"]),
    )
    return obj, (bytes(row["body"]) if with_body else b"")


def _describe(obj: StoredObject, if_match: str | None, if_none_match: str | None) -> dict[str, Any]:
    if if_match is not None and _quoted(if_match) != obj.etag and if_match != "*":
        raise PreconditionFailed("If-Match")
    if if_none_match is not None and (_quoted(if_none_match) == obj.etag or if_none_match == "*"):
        raise NotModified()
    result: dict[str, Any] = {
        "AcceptRanges": "bytes",
        "LastModified": _timestamp(int(obj.last_modified)),
        "ContentLength": obj.size,
        "ETag": obj.etag,
        "ContentType": obj.content_type or _DEFAULT_CONTENT_TYPE,
        "Metadata": dict(obj.metadata),
    }
    result.update(obj.headers)
    return result


def _quoted(etag: str) -> str:
    etag = etag.strip()
    return etag if etag.startswith('"') else f'"{etag}"'


def _headers(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v is not None}


def _http_date(value: dt.datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.astimezone(dt.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")


def _parse_copy_source(copy_source: str | dict[str, str]) -> tuple[str, str]:
    if isinstance(copy_source, dict):
        return copy_source["Bucket"], copy_source["Key"]
    source = copy_source.split("?versionId=", 1)[0]
    source = unquote(source).lstrip("/")
    src_bucket, _, src_key = source.partition("/")
    if not src_bucket or not src_key:
        raise InvalidArgument("Invalid copy source object key", ArgumentName="x-amz-copy-source",
                              ArgumentValue=copy_source)
    return src_bucket, src_key


def _max_keys(max_keys: int | None) -> int:
    if max_keys is None:
        return 1000
    if max_keys < 0:
        raise InvalidArgument("Argument maxKeys must be an integer between 0 and 2147483647",
                              ArgumentName="maxKeys", ArgumentValue=str(max_keys))
    return min(max_keys, 1000)


def _list(
    conn: sqlite3.Connection,
    bucket: str,
    prefix: str,
    delimiter: str | None,
    start: listing.Bound | None,
    limit: int,
) -> listing.Listing:
    _require_bucket(conn, bucket)
    return listing.list_keys(conn, bucket, prefix=prefix, delimiter=delimiter, start=start,
                             max_keys=limit)


def _encoder(encoding_type: str | None) -> Any:
    if encoding_type is None:
        return lambda value: value
    if encoding_type != "url":
        raise InvalidArgument("Invalid Encoding Method specified in Request",
                              ArgumentName="encoding-type", ArgumentValue=encoding_type)
    return listing.url_encode_key


def _content(row: sqlite3.Row, encode: Any, with_owner: bool | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Key": encode(row["key"]),
        "LastModified": _timestamp(row["last_modified"]),
        "ETag": row["etag"],
        "Size": row["size"],
        "StorageClass": "STANDARD",
    }
    if with_owner:
        item["Owner"] = dict(_OWNER)
    return item
