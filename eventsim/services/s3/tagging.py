"""Object tags as S3 takes them: the ``x-amz-tagging`` header of PutObject, CopyObject and
CreateMultipartUpload (``k1=v1&k2=v2``, URL-encoded) and the TagSet of PutObjectTagging, and
S3's limits on them (Amazon S3 User Guide, "Categorizing your storage using tags"): at most 10
tags per object, keys of 1 to 128 and values of up to 256 Unicode characters, each key once,
none starting ``aws:``. A bucket's tags (PutBucketTagging, `BUCKET_TAGS`) keep the same rules
but for their number, at most 50, and S3's words when one is refused.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from eventsim.errors import InvalidArgument
from eventsim.services.base import Pending, ServiceContext, record_traced_write
from eventsim.services.s3.errors import BadRequest, InvalidTag
from eventsim.services.s3.objects import NO_TAGS
from eventsim.services.s3.versioning import (
    VersionStates,
    event_version,
    load_current,
    set_version_tags,
)
from eventsim.tracing import Cause, current_request

if TYPE_CHECKING:
    from eventsim.services.s3.notifier import Notifier

__all__ = [
    "BUCKET_TAGS",
    "OBJECT_TAGS",
    "TagRules",
    "TaggingOperations",
    "parse_tag_set",
    "parse_tagging",
    "tag_set",
]


@dataclass(frozen=True, slots=True)
class TagRules:
    """What differs between the tags of an object and those of a bucket."""

    limit: int
    too_many: str
    """BadRequest's message for more than `limit` tags."""
    reserved: str
    """InvalidTag's message for a key starting ``aws:``."""


OBJECT_TAGS = TagRules(10, "Object tags cannot be greater than 10",
                       "Your TagKey cannot be prefixed with aws:")
BUCKET_TAGS = TagRules(50, "Bucket tag count cannot be greater than 50",
                       "System tags cannot be added/updated by requester")


def parse_tagging(header: str | None) -> str:
    """An ``x-amz-tagging`` value as stored (JSON), checked."""
    if not header:
        return NO_TAGS
    pairs = parse_qsl(header, keep_blank_values=True)
    if not pairs and header.strip():
        raise InvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then "
                              "URLEncoded URL query parameters without tag name duplicates.",
                              ArgumentName="x-amz-tagging", ArgumentValue=header)
    return _checked(pairs, OBJECT_TAGS)


def parse_tag_set(tagging: dict[str, Any], rules: TagRules = OBJECT_TAGS) -> str:
    """A ``Tagging`` ({"TagSet": [{"Key", "Value"}]}: PutObjectTagging's, PutBucketTagging's)
    as stored, checked."""
    return _checked([(str(tag.get("Key", "")), str(tag.get("Value", "")))
                     for tag in tagging.get("TagSet") or []], rules)


def tag_set(stored: str) -> list[dict[str, str]]:
    """Stored tags as a TagSet."""
    return [{"Key": key, "Value": value} for key, value in json.loads(stored).items()]


def _checked(pairs: list[tuple[str, str]], rules: TagRules) -> str:
    if len(pairs) > rules.limit:
        raise BadRequest(rules.too_many)
    tags: dict[str, str] = {}
    for key, value in pairs:
        if key in tags:
            raise InvalidTag("Cannot provide multiple Tags with the same key")
        if not key or len(key) > 128:
            raise InvalidTag("The TagKey you have provided is invalid" if not key else
                             "The TagKey you have provided is too long, max 128")
        if len(value) > 256:
            raise InvalidTag("The TagValue you have provided is too long, max 256")
        if key.startswith("aws:"):
            raise InvalidTag(rules.reserved)
        tags[key] = value
    return json.dumps(tags) if tags else NO_TAGS


class TaggingOperations:
    """PutObjectTagging, GetObjectTagging and DeleteObjectTagging (a part of `S3Service`).
    Changing an object's tags notifies ``s3:ObjectTagging:Put`` or ``s3:ObjectTagging:Delete``
    in the same transaction."""

    _ctx: ServiceContext
    _notifier: Notifier
    _versioning: VersionStates

    async def put_object_tagging(
        self, *, bucket: str, key: str, tagging: dict[str, Any], version_id: str | None = None,
    ) -> dict[str, Any]:
        """PutObjectTagging: the tags of the object (or of the version named) become the
        TagSet given."""
        return await self._set_tags(bucket, key, version_id, parse_tag_set(tagging),
                                    "ObjectTagging:Put")

    async def delete_object_tagging(
        self, *, bucket: str, key: str, version_id: str | None = None,
    ) -> dict[str, Any]:
        """DeleteObjectTagging: the object (or the version named) keeps no tags."""
        return await self._set_tags(bucket, key, version_id, NO_TAGS, "ObjectTagging:Delete")

    async def get_object_tagging(
        self, *, bucket: str, key: str, version_id: str | None = None,
    ) -> dict[str, Any]:
        """GetObjectTagging."""
        obj, _ = await self._ctx.db.read(lambda c: load_current(
            c, bucket, key, version_id, with_body=False, method="GET"))
        return {"TagSet": tag_set(obj.tags), **self._version_of(bucket, obj.version_id)}

    async def _set_tags(
        self, bucket: str, key: str, version_id: str | None, tags: str, event_name: str,
    ) -> dict[str, Any]:
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"s3:{event_name} {bucket}/{key}", now)
        pending = Pending(ids=current_request.get())

        def unit(conn: sqlite3.Connection) -> str:
            obj, _ = load_current(conn, bucket, key, version_id, with_body=False, method="PUT")
            set_version_tags(conn, bucket, key, obj.version_id, tags)
            self._notifier.notify(conn, pending, event_name, bucket, key, None, obj.etag, now,
                                  cause, version_id=event_version(obj.version_id))
            record_traced_write(conn, cause, f"s3:{event_name.replace(':', '')}",
                                f"arn:aws:s3:::{bucket}/{key}", now)
            return obj.version_id

        tagged = await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        return self._version_of(bucket, tagged)

    def _version_of(self, bucket: str, version_id: str) -> dict[str, str]:
        # Answers name the version in a bucket that has had versioning, as S3's do.
        return {} if self._versioning.get(bucket) is None else {"VersionId": version_id}
