"""S3 notification key filters: one optional prefix and one optional suffix.

Rules from https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html:
a key matches when it starts with the prefix and ends with the suffix (literal strings, ``*``
is not a wildcard). A missing rule matches every key, so it "overlaps" every other rule.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KeyFilter"]


@dataclass(frozen=True)
class KeyFilter:
    """The ``Filter.Key.FilterRules`` of one notification configuration."""

    prefix: str | None = None
    suffix: str | None = None

    @property
    def is_empty(self) -> bool:
        """True when the configuration has no filter rule at all."""
        return self.prefix is None and self.suffix is None

    def matches(self, key: str) -> bool:
        """Whether an object key (raw, not URL-encoded) passes both rules."""
        return key.startswith(self.prefix or "") and key.endswith(self.suffix or "")

    def overlaps(self, other: KeyFilter) -> bool:
        """Whether S3 considers the two filters overlapping.

        Two prefixes overlap when some key can start with both, that is one is a prefix of the
        other; two suffixes overlap when some key can end with both (``jpg`` and ``pg`` do,
        ``.jpg`` and ``.png`` do not). The filters overlap when both their prefixes and their
        suffixes do, which is how S3 allows a shared prefix with distinct suffixes.
        """
        mine, theirs = self.prefix or "", other.prefix or ""
        prefixes = mine.startswith(theirs) or theirs.startswith(mine)
        mine, theirs = self.suffix or "", other.suffix or ""
        suffixes = mine.endswith(theirs) or theirs.endswith(mine)
        return prefixes and suffixes
