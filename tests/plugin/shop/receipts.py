"""A user's handler: for every uploaded order file, write a receipt to another bucket.

Nothing here knows about eventsim: boto3 finds the simulator through AWS_ENDPOINT_URL.
"""

import json
import os
from urllib.parse import unquote_plus

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    written = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        order = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        receipt = {"order": order["id"], "total": sum(i["price"] for i in order["items"])}
        s3.put_object(Bucket=os.environ["RECEIPTS_BUCKET"], Key=f"receipts/{order['id']}.json",
                      Body=json.dumps(receipt), ContentType="application/json")
        written.append(receipt)
    return {"receipts": written}
