"""ExpressionAttributeNames and ExpressionAttributeValues: lookup, and what was used.

DynamoDB rejects a request whose maps hold an entry no expression uses, so every lookup is
remembered across all the expressions of one request, and `check_unused` runs at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eventsim.errors import ValidationException

__all__ = ["Substitutions"]


class Substitutions:
    """The ``#name`` and ``:value`` maps of one request."""

    def __init__(
        self,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, dict[str, Any]] | None = None,
    ) -> None:
        self.names: Mapping[str, str] = names or {}
        self.values: Mapping[str, dict[str, Any]] = values or {}
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()

    def name(self, ref: str, kind: str) -> str:
        """The attribute name a ``#ref`` stands for."""
        if ref not in self.names:
            raise ValidationException(
                f"Invalid {kind}: An expression attribute name used in the document path is "
                f"not defined; attribute name: {ref}"
            )
        self.used_names.add(ref)
        return self.names[ref]

    def value(self, ref: str, kind: str) -> dict[str, Any]:
        """The value a ``:ref`` stands for."""
        if ref not in self.values:
            raise ValidationException(
                f"Invalid {kind}: An expression attribute value used in expression is not "
                f"defined; attribute value: {ref}"
            )
        self.used_values.add(ref)
        return self.values[ref]

    def check_unused(self) -> None:
        """AWS's error for map entries no expression of the request used."""
        unused_names = sorted(set(self.names) - self.used_names)
        if unused_names:
            raise ValidationException(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: "
                "{" + ", ".join(unused_names) + "}"
            )
        unused_values = sorted(set(self.values) - self.used_values)
        if unused_values:
            raise ValidationException(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: "
                "{" + ", ".join(unused_values) + "}"
            )
