"""The S3 service: buckets, objects and bucket notifications.

Each method is one S3 operation (named ``xform_name(Operation)``), takes the operation's input
members as snake_case keywords and returns a dict keyed by the output shape's members, so the
gateway, scenario runner, pytest helpers and console all call the same code.

A write and the notification events it produces commit in one transaction (the outbox).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from typing import Any

from eventsim.errors import InvalidArgument, InvalidRequest, MalformedXML, NotImplementedOperation
from eventsim.services.base import Pending, ServiceContext, record_traced_write
from eventsim.services.s3.bucket_settings import BucketSettingsOperations
from eventsim.services.s3.errors import (
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    IllegalLocationConstraintException,
    InvalidLocationConstraint,
    InvalidObjectState,
    NoSuchBucket,
    NoSuchKey,
    PreconditionFailed,
)
from eventsim.services.s3.listing import ListingOperations
from eventsim.services.s3.models import compute_etag, parse_range, validate_bucket_name
from eventsim.services.s3.multipart import MultipartOperations
from eventsim.services.s3.notification_ops import NotificationConfigurationOperations
from eventsim.services.s3.notifier import Notifier
from eventsim.services.s3.objects import (
    INLINE_BODY_BYTES,
    NO_TAGS,
    NULL_VERSION,
    OWNER,
    describe,
    http_date,
    object_size,
    parse_copy_source,
    quoted_etag,
    require_bucket,
    store_object,
    stored_headers,
    timestamp,
    validate_key,
    written_headers,
)
from eventsim.services.s3.tagging import TaggingOperations, parse_tagging
from eventsim.services.s3.versioning import (
    VersioningOperations,
    VersionStates,
    add_delete_marker,
    check_version_id,
    delete_version,
    event_version,
    load_current,
    load_source,
    prepare_write,
)
from eventsim.services.s3.write_options import (
    ARCHIVED,
    check_acl,
    class_headers,
    encryption_headers,
)
from eventsim.store.outbox import OutboxRow
from eventsim.tracing import Cause, current_request

__all__ = ["S3Service"]

LOG = logging.getLogger(__name__)


class S3Service(MultipartOperations, TaggingOperations, ListingOperations,
                NotificationConfigurationOperations, VersioningOperations,
                BucketSettingsOperations):
    """Buckets, objects (multipart uploads among their writes: `MultipartOperations`; their
    tags: `TaggingOperations`; their listings: `ListingOperations`; their versions:
    `VersioningOperations`), the buckets' notification configurations
    (`NotificationConfigurationOperations`) and their other settings (tags, policy, CORS,
    encryption, ACLs, ownership, public access: `BucketSettingsOperations`), stored in
    SQLite."""

    def __init__(self, ctx: ServiceContext) -> None:
        self._ctx = ctx
        self._notifier = Notifier(
            ctx.clock, ctx.region, may_invoke=lambda arn, bucket: ctx.invoke_permitted(
                arn, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}", ctx.account_id))
        self._delivered: list[Pending] = []
        """What objects delivered in the dispatcher's running unit produced (handed over after
        its commit)."""
        self._versioning = VersionStates()

    async def load(self) -> None:
        """Read the notification configurations and versioning states into memory (called
        at start)."""
        rows = await self._ctx.db.read(
            lambda c: c.execute("SELECT bucket, configuration FROM bucket_notifications").fetchall()
        )
        self._notifier.load([(r["bucket"], r["configuration"]) for r in rows])
        states = await self._ctx.db.read(lambda c: c.execute(
            "SELECT name, versioning FROM buckets WHERE versioning IS NOT NULL").fetchall())
        self._versioning.load([(r["name"], r["versioning"]) for r in states])

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
            require_bucket(conn, bucket)
            for table in ("objects", "object_versions"):  # versions count, markers too
                if conn.execute(f"SELECT 1 FROM {table} WHERE bucket = ? LIMIT 1",
                                (bucket,)).fetchone():
                    raise BucketNotEmpty(bucket)
            conn.execute("DELETE FROM buckets WHERE name = ?", (bucket,))

        await self._ctx.db.write(unit)
        self._notifier.forget(bucket)
        self._versioning.forget(bucket)
        return {}

    async def head_bucket(self, *, bucket: str) -> dict[str, Any]:
        """HeadBucket."""
        row = await self._ctx.db.read(
            lambda c: c.execute("SELECT region FROM buckets WHERE name = ?", (bucket,)).fetchone()
        )
        if row is None:
            raise NoSuchBucket(bucket)
        return {"BucketRegion": row["region"]}

    async def get_bucket_location(self, *, bucket: str) -> dict[str, Any]:
        """GetBucketLocation: the bucket's region, none for us-east-1 (as S3 answers)."""
        region = (await self.head_bucket(bucket=bucket))["BucketRegion"]
        return {"LocationConstraint": None if region == "us-east-1" else region}

    async def list_buckets(self, **_: Any) -> dict[str, Any]:
        """ListBuckets."""
        rows = await self._ctx.db.read(
            lambda c: c.execute("SELECT name, created_at FROM buckets ORDER BY name").fetchall()
        )
        return {
            "Buckets": [
                {"Name": r["name"], "CreationDate": timestamp(r["created_at"])} for r in rows
            ],
            "Owner": dict(OWNER),
        }

    # -- as a delivery target ---------------------------------------------------------------

    def deliver(self, conn: sqlite3.Connection, row: OutboxRow) -> None:
        """The dispatcher's ``bucket`` deliverer: write the row's object inside the dispatcher's
        unit, with the notifications the bucket's configuration asks for. Used for the
        on-failure records of event source mappings (`target` is ``arn:aws:s3:::bucket``;
        `payload` is ``{"Key": ..., "Body": ..., "ContentType": ...}``). A bucket that is gone
        drops the object, as an undeliverable destination record is dropped on AWS."""
        bucket = row.target.rsplit(":", 1)[-1]
        try:
            payload = json.loads(row.payload)
            key, body = str(payload["Key"]), str(payload["Body"]).encode()
        except (ValueError, KeyError, TypeError):
            LOG.exception("undeliverable object for %s; dropped", row.target)
            return
        now = row.created_at or self._ctx.clock.time()
        etag = compute_etag(body)
        cause = Cause.for_write(f"s3:ObjectCreated:Put {bucket}/{key}", now)
        pending = Pending()
        conn.execute("SAVEPOINT deliver_object")
        try:
            require_bucket(conn, bucket)
            version_id = prepare_write(conn, bucket, key, self._versioning.get(bucket))
            store_object(conn, bucket, key, body, etag, now, payload.get("ContentType"), {}, {},
                         version_id=version_id)
            self._notifier.notify(conn, pending, "ObjectCreated:Put", bucket, key, len(body),
                                  etag, now, cause, version_id=event_version(version_id))
        except NoSuchBucket:
            conn.execute("ROLLBACK TO deliver_object")
            LOG.warning("bucket %s does not exist; object %s dropped", bucket, key)
            return
        finally:
            conn.execute("RELEASE deliver_object")
        self._delivered.append(pending)

    def after_delivery(self) -> None:
        """The dispatcher's unit has committed: hand on the events its objects produced."""
        delivered, self._delivered = self._delivered, []
        for pending in delivered:
            pending.hand_over(self._ctx)

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
        tagging: str | None = None,
        acl: str | None = None,
        server_side_encryption: str | None = None,
        ssekms_key_id: str | None = None,
        storage_class: str | None = None,
    ) -> dict[str, Any]:
        """PutObject; notifies ``s3:ObjectCreated:Put`` targets in the same transaction."""
        validate_key(key)
        tags = parse_tagging(tagging)
        check_acl(acl)
        headers = written_headers(cache_control, content_disposition, content_encoding,
                                  content_language, expires, website_redirect_location)
        if storage_class is not None:
            headers = {**headers, **class_headers(storage_class)}
        encryption: dict[str, str] = {}
        if server_side_encryption is not None or ssekms_key_id is not None:
            encryption = encryption_headers(server_side_encryption, ssekms_key_id)
            headers = {**headers, **encryption}
        etag = compute_etag(body)
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"s3:ObjectCreated:Put {bucket}/{key}", now)
        pending = Pending(ids=current_request.get())
        # A conditional put reads the object it replaces, which may be a buffered row not
        # yet inserted: only unconditional puts buffer their rows. A tagged put does not
        # either: its row goes in a statement of its own (`store_object`), which could run
        # before an untagged put of the same key that came first.
        conditional = if_none_match is not None or if_match is not None
        # A versioned bucket's put moves the version it covers: it reads rows, so it is not
        # buffered either.
        versioning = self._versioning.get(bucket)
        unbuffered = conditional or tags != NO_TAGS or versioning is not None
        rows = None if unbuffered else self._ctx.db.rows

        def unit(conn: sqlite3.Connection) -> str:
            if conditional:
                require_bucket(conn, bucket)
                current = conn.execute(
                    "SELECT etag FROM objects WHERE bucket = ? AND key = ?", (bucket, key)
                ).fetchone()
                if if_none_match == "*" and current is not None:
                    raise PreconditionFailed("If-None-Match")
                mismatch = current is None or current["etag"] != quoted_etag(if_match or "")
                if if_match is not None and mismatch:
                    if current is None:
                        raise NoSuchKey(key)
                    raise PreconditionFailed("If-Match")
            version_id = NULL_VERSION
            if versioning is not None:
                require_bucket(conn, bucket)
                version_id = prepare_write(conn, bucket, key, versioning)
            store_object(conn, bucket, key, body, etag, now, content_type, metadata or {}, headers,
                         rows, tags=tags, version_id=version_id)
            # Events name a version only where versioning is enabled (never the null one).
            self._notifier.notify(conn, pending, "ObjectCreated:Put", bucket, key, len(body),
                                  etag, now, cause, rows,
                                  version_id if versioning == "Enabled" else None)
            record_traced_write(conn, cause, "s3:PutObject", f"arn:aws:s3:::{bucket}/{key}", now)
            return version_id

        # The checks come first and a put into a missing bucket fails at its first statement,
        # before it has changed anything: the unit needs no savepoint of its own. (A versioned
        # put checks its bucket before it moves anything.)
        version_id = await self._ctx.db.write(unit, savepoint=False, buffered=not unbuffered)
        pending.hand_over(self._ctx)
        result = {"ETag": etag, **encryption} if encryption else {"ETag": etag}
        if versioning is not None:
            result["VersionId"] = version_id
        return result

    async def get_object(
        self,
        *,
        bucket: str,
        key: str,
        range: str | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        part_number: int | None = None,
        response_cache_control: str | None = None,
        response_content_disposition: str | None = None,
        response_content_encoding: str | None = None,
        response_content_language: str | None = None,
        response_content_type: str | None = None,
        response_expires: dt.datetime | str | None = None,
        version_id: str | None = None,
    ) -> dict[str, Any]:
        """GetObject, with a byte range when asked; the ``response_*`` values replace the
        headers of this answer (as a presigned download link sets them)."""
        if part_number is not None:
            raise NotImplementedOperation("eventsim does not implement GetObject with PartNumber.")
        # A large body is read on the database's thread, so the loop keeps serving (an older
        # version's size is not looked up first: those reads go there anyway).
        offload = True
        if version_id is None:
            size = await self._ctx.db.read(lambda c: object_size(c, bucket, key))
            offload = size is not None and size > INLINE_BODY_BYTES
        obj, body = await self._ctx.db.read(
            lambda c: load_current(c, bucket, key, version_id, with_body=True, method="GET"),
            offload=offload,
        )
        if obj.headers.get("StorageClass") in ARCHIVED:
            raise InvalidObjectState(obj.headers["StorageClass"])
        result = describe(obj, if_match, if_none_match)
        if range is not None:
            chosen = parse_range(range, obj.size)
            if chosen is not None:
                body = body[chosen.start : chosen.end + 1]
                result["ContentRange"] = chosen.content_range(obj.size)
        result["ContentLength"] = len(body)
        result["Body"] = body
        result.update(stored_headers(
            CacheControl=response_cache_control, ContentDisposition=response_content_disposition,
            ContentEncoding=response_content_encoding,
            ContentLanguage=response_content_language, ContentType=response_content_type,
            Expires=http_date(response_expires)))
        if obj.tags != NO_TAGS:
            result["TagCount"] = len(json.loads(obj.tags))
        self._add_version(result, bucket, obj.version_id)
        return result

    async def head_object(
        self,
        *,
        bucket: str,
        key: str,
        range: str | None = None,
        if_match: str | None = None,
        if_none_match: str | None = None,
        version_id: str | None = None,
    ) -> dict[str, Any]:
        """HeadObject."""
        obj, _ = await self._ctx.db.read(
            lambda c: load_current(c, bucket, key, version_id, with_body=False, method="HEAD"))
        result = describe(obj, if_match, if_none_match)
        self._add_version(result, bucket, obj.version_id)
        if range is not None:
            chosen = parse_range(range, obj.size)
            if chosen is not None:
                result["ContentRange"] = chosen.content_range(obj.size)
                result["ContentLength"] = chosen.end - chosen.start + 1
        return result

    async def delete_object(
        self, *, bucket: str, key: str, version_id: str | None = None,
    ) -> dict[str, Any]:
        """DeleteObject: of the current object (in a versioned bucket, a delete marker on top
        of it), or of one version for good; deleting what is not there succeeds."""
        if version_id is not None:
            check_version_id(version_id)
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"s3:ObjectRemoved:Delete {bucket}/{key}", now)
        pending = Pending(ids=current_request.get())

        def unit(conn: sqlite3.Connection) -> dict[str, Any]:
            require_bucket(conn, bucket)
            return self._delete(conn, pending, bucket, key, version_id, now, cause)

        outcome = await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        # One key's answer names the version it deleted, or the delete marker it made.
        result: dict[str, Any] = {}
        if outcome.get("DeleteMarker"):
            result["DeleteMarker"] = True
        version = outcome.get("VersionId", outcome.get("DeleteMarkerVersionId"))
        if version is not None:
            result["VersionId"] = version
        return result

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

        def unit(conn: sqlite3.Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            require_bucket(conn, bucket)
            deleted, errors = [], []
            for item in objects:
                version_id = item.get("VersionId")
                try:
                    if version_id is not None:
                        check_version_id(version_id)
                except InvalidArgument as exc:
                    errors.append({"Key": item["Key"], "VersionId": version_id,
                                   "Code": exc.code, "Message": exc.message})
                    continue
                deleted.append(self._delete(conn, pending, bucket, item["Key"], version_id,
                                            now, cause))
            return deleted, errors

        deleted, errors = await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        return {"Deleted": [] if quiet else deleted, "Errors": errors}

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
        tagging_directive: str | None = None,
        tagging: str | None = None,
        acl: str | None = None,
        server_side_encryption: str | None = None,
        ssekms_key_id: str | None = None,
        storage_class: str | None = None,
    ) -> dict[str, Any]:
        """CopyObject; notifies ``s3:ObjectCreated:Copy``. The copy keeps the source's tags
        unless the tagging directive is REPLACE (then it has ``tagging``), and its encryption
        unless the request names one; it is STANDARD unless it names a storage class."""
        src_bucket, src_key, src_version = parse_copy_source(copy_source)
        if src_version is not None:
            check_version_id(src_version)
        check_acl(acl)
        encryption = encryption_headers(server_side_encryption, ssekms_key_id)
        new_class = class_headers(storage_class)
        directive = (metadata_directive or "COPY").upper()
        if directive not in ("COPY", "REPLACE"):
            raise InvalidArgument("Unknown metadata directive.",
                                  ArgumentName="x-amz-metadata-directive",
                                  ArgumentValue=metadata_directive or "")
        tags_directive = (tagging_directive or "COPY").upper()
        if tags_directive not in ("COPY", "REPLACE"):
            raise InvalidArgument("Unknown tagging directive.",
                                  ArgumentName="x-amz-tagging-directive",
                                  ArgumentValue=tagging_directive or "")
        replaced_tags = parse_tagging(tagging) if tags_directive == "REPLACE" else None
        if (src_bucket == bucket and src_key == key and directive == "COPY"
                and storage_class is None and not encryption and src_version is None):
            raise InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself "
                "without changing the object's metadata, storage class, website redirect "
                "location or encryption attributes."
            )
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"s3:ObjectCreated:Copy {bucket}/{key}", now)
        replaced = stored_headers(
            CacheControl=cache_control, ContentDisposition=content_disposition,
            ContentEncoding=content_encoding, ContentLanguage=content_language,
        )

        pending = Pending(ids=current_request.get())

        versioning = self._versioning.get(bucket)

        def unit(conn: sqlite3.Connection) -> tuple[str, str, str]:
            require_bucket(conn, src_bucket)
            source, body = load_source(conn, src_bucket, src_key, src_version)
            if source.headers.get("StorageClass") in ARCHIVED:
                raise InvalidObjectState(source.headers["StorageClass"])
            require_bucket(conn, bucket)
            if directive == "REPLACE":
                ctype, meta, headers = content_type, metadata or {}, replaced
            else:
                ctype, meta, headers = source.content_type, source.metadata, source.headers
            # The copy's class is the request's (STANDARD unless named), its encryption the
            # source's unless the request names one.
            dropped = ("StorageClass", "ServerSideEncryption", "SSEKMSKeyId") if encryption \
                else ("StorageClass",)
            headers = {k: v for k, v in headers.items() if k not in dropped} | encryption \
                | new_class
            # A copy is one part, whatever the source was made of: a multipart source's ETag
            # (MD5 of its parts' MD5s) is not the copy's.
            etag = source.etag if "-" not in source.etag else compute_etag(body)
            version_id = prepare_write(conn, bucket, key, versioning)
            store_object(conn, bucket, key, body, etag, now, ctype, meta, headers,
                         tags=source.tags if replaced_tags is None else replaced_tags,
                         version_id=version_id)
            self._notifier.notify(conn, pending, "ObjectCreated:Copy", bucket, key, source.size,
                                  etag, now, cause, version_id=event_version(version_id))
            record_traced_write(conn, cause, "s3:CopyObject", f"arn:aws:s3:::{bucket}/{key}", now)
            return etag, version_id, source.version_id

        etag, version_id, source_version = await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        result: dict[str, Any] = {
            "CopyObjectResult": {"ETag": etag, "LastModified": timestamp(now)}}
        self._add_version(result, bucket, version_id)
        if self._versioning.get(src_bucket) is not None:
            result["CopySourceVersionId"] = source_version
        return result

    # -- inside units ----------------------------------------------------------------------

    def _delete(
        self, conn: sqlite3.Connection, pending: Pending, bucket: str, key: str,
        version_id: str | None, now: float, cause: Cause,
    ) -> dict[str, Any]:
        """Delete what a DeleteObject (or one entry of a DeleteObjects) names; what it did,
        as DeleteObjects reports each key."""
        resource = f"arn:aws:s3:::{bucket}/{key}"
        state = self._versioning.get(bucket)
        if version_id is None and state is not None:
            marker = add_delete_marker(conn, bucket, key, state, now)
            self._notifier.notify(conn, pending, "ObjectRemoved:DeleteMarkerCreated", bucket,
                                  key, None, None, now, cause, version_id=event_version(marker))
            record_traced_write(conn, cause, "s3:DeleteObject", resource, now)
            return {"Key": key, "DeleteMarker": True, "DeleteMarkerVersionId": marker}
        if version_id is None or (state is None and version_id == NULL_VERSION):
            gone = conn.execute("DELETE FROM objects WHERE bucket = ? AND key = ?",
                                (bucket, key)).rowcount
            was_marker: bool | None = False if gone else None
        else:
            was_marker = delete_version(conn, bucket, key, version_id)
        if was_marker is not None:
            self._notifier.notify(conn, pending, "ObjectRemoved:Delete", bucket, key, None,
                                  None, now, cause,
                                  version_id=None if version_id is None
                                  else event_version(version_id))
            record_traced_write(conn, cause, "s3:DeleteObject", resource, now)
        outcome: dict[str, Any] = {"Key": key}
        if version_id is not None:
            outcome["VersionId"] = version_id
        if was_marker:
            outcome.update(DeleteMarker=True, DeleteMarkerVersionId=version_id)
        return outcome

    def _add_version(self, result: dict[str, Any], bucket: str, version_id: str) -> None:
        """Name the version in an answer, as a bucket that has had versioning does (even its
        null version); a bucket that never had it names none."""
        if self._versioning.get(bucket) is not None:
            result["VersionId"] = version_id


# -- helpers -------------------------------------------------------------------------------


