"""The DynamoDB service: tables, items, queries, transactions, and the stream records of writes.

Each method is one DynamoDB operation (``xform_name(Operation)``) taking the input members as
snake_case keywords, with attribute values in DynamoDB's typed form (``{"S": "x"}``, blobs as
bytes) as the json protocol delivers them, and returning the output shape's members.

Every write is one unit: the read of the item as it is, the condition, the new item, its index
entries and its stream record commit together. Table definitions are also kept in memory; they
change only through this service.
"""

from __future__ import annotations

from eventsim.services.dynamodb.backups import ContinuousBackupOperations
from eventsim.services.dynamodb.item_ops import ItemOperations
from eventsim.services.dynamodb.read_ops import ReadOperations
from eventsim.services.dynamodb.table_ops import TableOperations
from eventsim.services.dynamodb.ttl import TimeToLiveOperations

__all__ = ["DynamoDBService"]


class DynamoDBService(TableOperations, TimeToLiveOperations, ItemOperations, ReadOperations,
                      ContinuousBackupOperations):
    """DynamoDB tables and items, stored in SQLite. The operations are grouped by what they
    act on: tables (`table_ops`), their time to live (`ttl`) and point-in-time recovery
    setting (`backups`), items (`item_ops`), reads of many items (`read_ops`)."""
