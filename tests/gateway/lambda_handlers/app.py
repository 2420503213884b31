"""Handlers the Lambda API tests invoke through the gateway."""

import os


def echo(event, context):
    print(f"echoing {event!r}")
    return {"received": event, "function": os.environ["AWS_LAMBDA_FUNCTION_NAME"]}


def fail(event, context):
    print("about to fail")
    raise ValueError("the handler failed on purpose")


def nothing(event, context):
    return None


def slow(event, context):
    import time

    time.sleep(event.get("seconds", 5))  # sleep-ok: the handler under test is slow
    return "finished"


def client_context(event, context):
    sent = context.client_context
    if sent is None:
        return None
    return {"custom": sent.custom, "env": sent.env, "app_title": sent.client.app_title}


def big(event, context):
    return "x" * event["size"]
