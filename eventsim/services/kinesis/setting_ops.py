"""The settings of a stream, saved with its row: its retention period
(Increase/DecreaseStreamRetentionPeriod), its tags (Add/RemoveTagsFromStream,
ListTagsForStream, and Tag/UntagResource, ListTagsForResource by the stream's ARN) and its
encryption (Start/StopStreamEncryption)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eventsim.errors import NotImplementedOperation
from eventsim.services.kinesis import records
from eventsim.services.kinesis.catalog import Catalog
from eventsim.services.kinesis.constraints import check_input
from eventsim.services.kinesis.errors import InvalidArgumentException
from eventsim.services.kinesis.models import Stream

__all__ = ["SettingOperations"]

MIN_RETENTION_HOURS = 24
MAX_RETENTION_HOURS = 8760
MAX_TAGS = 50


class SettingOperations(Catalog):
    """The operations that change a stream's retention period, tags and encryption."""

    # -- retention -------------------------------------------------------------------------

    async def increase_stream_retention_period(
        self,
        *,
        retention_period_hours: int,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """IncreaseStreamRetentionPeriod: up to 8,760 hours, never below the current period."""
        return await self._set_retention("IncreaseStreamRetentionPeriod", stream_name,
                                         stream_arn, retention_period_hours, increase=True)

    async def decrease_stream_retention_period(
        self,
        *,
        retention_period_hours: int,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """DecreaseStreamRetentionPeriod: down to 24 hours, never above the current period."""
        return await self._set_retention("DecreaseStreamRetentionPeriod", stream_name,
                                         stream_arn, retention_period_hours, increase=False)

    async def _set_retention(
        self, operation: str, stream_name: str | None, stream_arn: str | None, hours: int,
        *, increase: bool,
    ) -> dict[str, Any]:
        check_input(operation, {"StreamName": stream_name, "StreamARN": stream_arn,
                                "RetentionPeriodHours": hours})
        stream = self._stream(stream_name, stream_arn)
        if hours < MIN_RETENTION_HOURS:
            raise InvalidArgumentException(
                f"Minimum allowed retention period is {MIN_RETENTION_HOURS} hours. Requested "
                f"retention period ({hours} hours) is too short."
            )
        if hours > MAX_RETENTION_HOURS:
            raise InvalidArgumentException(
                f"Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested "
                f"retention period ({hours} hours) is too long."
            )
        current = stream.retention_hours
        if increase and hours < current:
            raise InvalidArgumentException(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
                f"shorter than existing retention period ({current} hours). Use "
                "DecreaseRetentionPeriod API."
            )
        if not increase and hours > current:
            raise InvalidArgumentException(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not be "
                f"longer than existing retention period ({current} hours). Use "
                "IncreaseRetentionPeriod API."
            )
        stream.retention_hours = hours
        try:
            await self._ctx.db.write(lambda conn: records.save_stream(conn, stream))
        except BaseException:
            stream.retention_hours = current
            raise
        return {}

    # -- tags ------------------------------------------------------------------------------

    async def add_tags_to_stream(
        self,
        *,
        tags: Mapping[str, str],
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """AddTagsToStream: a stream holds at most 50 tags."""
        check_input("AddTagsToStream", {"StreamName": stream_name, "StreamARN": stream_arn,
                                        "Tags": tags})
        stream = self._stream(stream_name, stream_arn)
        merged = {**stream.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise InvalidArgumentException(
                f"Failed to add tags to stream {stream.name} under account "
                f"{self._ctx.account_id} because a given stream cannot have more than "
                f"{MAX_TAGS} tags associated with it."
            )
        await self._set_tags(stream, merged)
        return {}

    async def remove_tags_from_stream(
        self,
        *,
        tag_keys: list[str],
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """RemoveTagsFromStream; keys the stream does not have are ignored."""
        check_input("RemoveTagsFromStream", {"StreamName": stream_name, "StreamARN": stream_arn,
                                             "TagKeys": tag_keys})
        stream = self._stream(stream_name, stream_arn)
        await self._set_tags(stream, {k: v for k, v in stream.tags.items() if k not in tag_keys})
        return {}

    async def list_tags_for_stream(
        self,
        *,
        stream_name: str | None = None,
        stream_arn: str | None = None,
        exclusive_start_tag_key: str | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """ListTagsForStream: tags in key order, after `exclusive_start_tag_key`."""
        check_input("ListTagsForStream", {
            "StreamName": stream_name, "StreamARN": stream_arn, "Limit": limit,
            "ExclusiveStartTagKey": exclusive_start_tag_key,
        })
        stream = self._stream(stream_name, stream_arn)
        keys = sorted(stream.tags)
        if exclusive_start_tag_key is not None:
            keys = [k for k in keys if k > exclusive_start_tag_key]
        page = keys[: limit or MAX_TAGS]
        return {
            "Tags": [{"Key": k, "Value": stream.tags[k]} for k in page],
            "HasMoreTags": len(page) < len(keys),
        }

    async def tag_resource(self, *, resource_arn: str, tags: Mapping[str, str]) -> dict[str, Any]:
        """TagResource, for a stream's ARN (the same tags as AddTagsToStream)."""
        check_input("TagResource", {"ResourceARN": resource_arn, "Tags": tags})
        return await self.add_tags_to_stream(stream_arn=self._stream_arn_of(resource_arn),
                                             tags=tags)

    async def untag_resource(self, *, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        """UntagResource, for a stream's ARN."""
        check_input("UntagResource", {"ResourceARN": resource_arn, "TagKeys": tag_keys})
        return await self.remove_tags_from_stream(stream_arn=self._stream_arn_of(resource_arn),
                                                  tag_keys=tag_keys)

    async def list_tags_for_resource(self, *, resource_arn: str) -> dict[str, Any]:
        """ListTagsForResource, for a stream's ARN: every tag, in key order."""
        check_input("ListTagsForResource", {"ResourceARN": resource_arn})
        stream = self._stream(None, self._stream_arn_of(resource_arn))
        return {"Tags": [{"Key": k, "Value": stream.tags[k]} for k in sorted(stream.tags)]}

    def _stream_arn_of(self, resource_arn: str) -> str:
        if ":stream/" not in resource_arn or "/consumer/" in resource_arn:
            raise NotImplementedOperation(
                "eventsim tags Kinesis data streams only, not channels, queues or consumers."
            )
        return resource_arn

    async def _set_tags(self, stream: Stream, tags: dict[str, str]) -> None:
        previous, stream.tags = stream.tags, tags
        try:
            await self._ctx.db.write(lambda conn: records.save_stream(conn, stream))
        except BaseException:
            stream.tags = previous
            raise

    # -- encryption ------------------------------------------------------------------------

    async def start_stream_encryption(
        self,
        *,
        encryption_type: str,
        key_id: str,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """StartStreamEncryption: records put from now on are KMS-encrypted (and say so).

        eventsim encrypts nothing and does not look the key up in KMS; it keeps the key id.
        """
        check_input("StartStreamEncryption", {
            "StreamName": stream_name, "StreamARN": stream_arn,
            "EncryptionType": encryption_type, "KeyId": key_id,
        })
        stream = self._stream(stream_name, stream_arn)
        if encryption_type != "KMS":
            raise InvalidArgumentException(
                f"Invalid EncryptionType {encryption_type}. Only KMS is supported."
            )
        await self._set_encryption(stream, "KMS", key_id)
        return {}

    async def stop_stream_encryption(
        self,
        *,
        encryption_type: str,
        key_id: str,
        stream_name: str | None = None,
        stream_arn: str | None = None,
    ) -> dict[str, Any]:
        """StopStreamEncryption: records put from now on are not encrypted."""
        check_input("StopStreamEncryption", {
            "StreamName": stream_name, "StreamARN": stream_arn,
            "EncryptionType": encryption_type, "KeyId": key_id,
        })
        stream = self._stream(stream_name, stream_arn)
        await self._set_encryption(stream, "NONE", None)
        return {}

    async def _set_encryption(self, stream: Stream, kind: str, key_id: str | None) -> None:
        previous = stream.encryption_type, stream.key_id
        stream.encryption_type, stream.key_id = kind, key_id
        try:
            await self._ctx.db.write(lambda conn: records.save_stream(conn, stream))
        except BaseException:
            stream.encryption_type, stream.key_id = previous
            raise
