import os

TABLE = os.environ["TABLE_NAME_THAT_IS_NOT_SET"]


def handler(event, context):
    return TABLE
