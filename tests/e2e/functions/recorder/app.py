def handler(event, context):
    return [r["s3"]["object"]["key"] for r in event["Records"]]
