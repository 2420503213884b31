"""DynamoDB's error codes, with AWS's messages."""

from __future__ import annotations

from typing import Any

from eventsim.errors import AwsError
from eventsim.errors import ResourceNotFoundException as _NotFound

__all__ = [
    "ConditionalCheckFailedException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "TableNotFoundException",
    "TransactionCanceledException",
]


class ResourceNotFoundException(_NotFound):
    """DynamoDB answers an unknown table with 400, not 404."""

    status_code = 400

    def __init__(self, message: str = "Requested resource not found") -> None:
        super().__init__(message)

    @classmethod
    def table(cls, name: str) -> ResourceNotFoundException:
        """The wording of DescribeTable / DeleteTable / UpdateTable."""
        return cls(f"Requested resource not found: Table: {name} not found")


class ResourceInUseException(AwsError):
    code = "ResourceInUseException"
    status_code = 400
    sender_fault = True


class ConditionalCheckFailedException(AwsError):
    """A ConditionExpression was false. ``item`` (DynamoDB JSON) is the item as it was, sent
    when ReturnValuesOnConditionCheckFailure is ALL_OLD."""

    code = "ConditionalCheckFailedException"
    status_code = 400
    sender_fault = True

    def __init__(self, item: dict[str, Any] | None = None) -> None:
        super().__init__("The conditional request failed")
        self.item = item
        if item is not None:
            # Structured, not text: the json protocol writes error fields as JSON values.
            fields: dict[str, Any] = {"Item": item}
            self.fields = fields


class TransactionCanceledException(AwsError):
    """One or more actions of a transaction failed; none was applied."""

    code = "TransactionCanceledException"
    status_code = 400
    sender_fault = True

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        codes = ", ".join(r["Code"] for r in reasons)
        super().__init__(
            f"Transaction cancelled, please refer cancellation reasons for specific reasons "
            f"[{codes}]"
        )
        self.reasons = reasons
        fields: dict[str, Any] = {"CancellationReasons": reasons}
        self.fields = fields


class TableNotFoundException(AwsError):
    """The backup operations' word for an unknown table."""

    code = "TableNotFoundException"
    status_code = 400
    sender_fault = True

    def __init__(self, name: str) -> None:
        super().__init__(f"Table not found: {name}")
