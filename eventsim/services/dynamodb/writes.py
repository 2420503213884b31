"""One item write prepared outside its unit: what to check, and what the item becomes."""

from __future__ import annotations

from eventsim.errors import ValidationException
from eventsim.services.dynamodb.expressions import apply_update, evaluate, updated_paths
from eventsim.services.dynamodb.expressions import nodes as n
from eventsim.services.dynamodb.requests import MAX_ITEM_BYTES
from eventsim.services.dynamodb.tables import TableDef
from eventsim.services.dynamodb.values import Item, item_size

__all__ = ["Write", "check_key_untouched", "check_size"]


def check_size(item: Item, *, update: bool = False, size: int | None = None) -> int:
    """An item over 400 KB. An update says so in words of its own, "Item size to update has
    exceeded the maximum allowed size" (listed among the ValidationError messages in the
    documentation of TransactionCanceledException, botocore's dynamodb model; dynalite and
    moto answer UpdateItem the same). The item's size (`size`, if measured already)."""
    if size is None:
        size = item_size(item)
    if size > MAX_ITEM_BYTES:
        what = "Item size to update" if update else "Item size"
        raise ValidationException(f"{what} has exceeded the maximum allowed size")
    return size


class Write:
    """One item write prepared outside the unit: what to check and what to make."""

    def __init__(
        self, table: TableDef, key: Item, *, condition: n.Condition | None = None,
        put: Item | None = None, update: n.Update | None = None, delete: bool = False,
        return_old_on_failure: bool = False, check_only: bool = False,
        put_size: int | None = None,
    ) -> None:
        self.table = table
        self.check_only = check_only
        self.key = key
        self.pk, self.sk = table.encoded_key(key)
        self.condition = condition
        self.put = put
        self.put_size = put_size
        """``item_size(put)``, when the caller measured it already."""
        self.update = update
        self.delete = delete
        self.return_old_on_failure = return_old_on_failure

    def check(self, old: Item | None) -> bool:
        return self.condition is None or evaluate(self.condition, old)

    def new_item(self, old: Item | None) -> Item | None:
        if self.delete:
            return None
        if self.put is not None:
            return self.put
        if self.update is None:
            return dict(old) if old is not None else dict(self.key)
        new = apply_update(old if old is not None else dict(self.key), self.update)
        self.table.check_item_keys(new)
        check_size(new, update=True)
        return new



def check_key_untouched(table: TableDef, update: n.Update) -> None:
    for path in updated_paths(update):
        if path.elements[0] in table.key_names():
            raise ValidationException(
                "One or more parameter values were invalid: Cannot update attribute "
                f"{path.elements[0]}. This attribute is part of the key"
            )
