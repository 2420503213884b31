"""The S3 event types a notification configuration may name, and how wildcards cover them.

The catalogue is the ``Event`` enum of botocore's s3 model, which lists what S3 documents at
https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
(a unit test keeps the two in step). A configured ``s3:<Group>:*`` covers every
``s3:<Group>:<Action>``; types without an action (``s3:LifecycleTransition``) match only
themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["EVENT_TYPES", "event_matches", "events_overlap"]

EVENT_TYPES: frozenset[str] = frozenset({
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy", "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*", "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationNotTracked", "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated", "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
    "s3:ObjectAnnotation:*", "s3:ObjectAnnotation:Put", "s3:ObjectAnnotation:Delete",
    "s3:ObjectRetention:Put",
})  # fmt: skip


def event_matches(pattern: str, event_name: str) -> bool:
    """Whether a configured event type (``s3:ObjectCreated:*``) covers an event name."""
    if pattern == event_name:
        return True
    return pattern.endswith(":*") and event_name.startswith(pattern[:-1])


def events_overlap(first: Iterable[str], second: Iterable[str]) -> bool:
    """Whether two event lists share an event type, wildcards included."""
    others = tuple(second)
    return any(event_matches(a, b) or event_matches(b, a) for a in first for b in others)
