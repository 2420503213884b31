"""Handlers the engine tests invoke."""

import os

CALLS = []


def echo(event, context):
    CALLS.append(event)
    return {"received": event, "request_id": context.aws_request_id}


def fail(event, context):
    raise ValueError("always fails")


def fail_then_succeed(event, context):
    # Fails the first two attempts of each request, as a flaky dependency would.
    key = context.aws_request_id
    CALLS.append(key)
    if CALLS.count(key) < 3:
        raise RuntimeError(f"attempt {CALLS.count(key)} failed")
    return "ok"


def env(event, context):
    return {"DEST": os.environ.get("DEST"), "name": os.environ["AWS_LAMBDA_FUNCTION_NAME"]}
