"""Appends one line per batch to $BATCH_LOG: the shard and each record's (sequence, data)."""

import base64
import json
import os


def handler(event, context):
    records = event["Records"]
    line = json.dumps([records[0]["eventID"].split(":")[0],
                       [[r["kinesis"]["sequenceNumber"],
                         base64.b64decode(r["kinesis"]["data"]).decode()] for r in records]])
    with open(os.environ["BATCH_LOG"], "a") as out:
        out.write(line + "\n")
