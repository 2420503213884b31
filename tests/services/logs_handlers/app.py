"""Handlers for the CloudWatch Logs tests: each prints what its event asks for."""


def handler(event, context):
    for line in event.get("lines", []):
        print(line)
    return context.log_stream_name
