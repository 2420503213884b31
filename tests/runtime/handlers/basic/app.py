"""Handlers the inline runtime tests invoke (one code directory, many handlers)."""

import datetime
import logging
import os
import sys
import threading
import time

CALLS = 0
logger = logging.getLogger(__name__)


def echo(event, context):
    return {"event": event, "request_id": context.aws_request_id}


def fail(event, context):
    raise ValueError(f"bad event {event['n']}")


def count(event, context):
    global CALLS
    CALLS += 1
    return CALLS


def unserializable(event, context):
    return {"when": datetime.datetime(2024, 1, 2)}


def returns_bytes(event, context):
    return b"\x00raw"


def exits(event, context):
    sys.exit(3)


def flood(event, context):
    chunk = "x" * (1 << 20)
    for _ in range(event["megabytes"] // 2):
        print(chunk)
    sys.stderr.write("y" * (event["megabytes"] // 2 << 20))
    return "done"


def chatty(event, context):
    print(f"print {event['tag']}")
    sys.stderr.write(f"stderr {event['tag']}\n")
    logger.warning("logged %s", event["tag"])
    context.log(f"context.log {event['tag']}\n")
    worker = threading.Thread(target=print, args=(f"child thread {event['tag']}",))
    worker.start()
    worker.join()
    if "gate" in event:
        import eventsim_test_sync

        eventsim_test_sync.wait(event["gate"])
        print(f"after gate {event['tag']}")
    return event["tag"]


def environment(event, context):
    if "gate" in event:
        import eventsim_test_sync

        before = os.environ.get("COLOUR")
        eventsim_test_sync.wait(event["gate"])
        return {"before": before, "after": os.environ.get("COLOUR")}
    return {
        name: os.environ.get(name)
        for name in ("COLOUR", "AWS_LAMBDA_FUNCTION_NAME", "_X_AMZN_TRACE_ID", "SET_BY_HANDLER")
    }


def set_env(event, context):
    previous = os.environ.get("SET_BY_HANDLER")
    os.environ["SET_BY_HANDLER"] = event["value"]
    return {"previous": previous, "now": os.environ["SET_BY_HANDLER"]}


def context_fields(event, context):
    first = context.get_remaining_time_in_millis()
    time.sleep(0.005)  # sleep-ok: let the clock move
    second = context.get_remaining_time_in_millis()
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "memory_type": type(context.memory_limit_in_mb).__name__,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "identity": [
            context.identity.cognito_identity_id,
            context.identity.cognito_identity_pool_id,
        ],
        "client_context": repr(context.client_context),
        "remaining": [first, second],
    }


def hang(event, context):
    if not event.get("hang"):
        return "ok"
    import eventsim_test_sync

    try:
        while True:
            time.sleep(0.01)  # sleep-ok: a handler stuck in a loop until it is timed out
    finally:
        eventsim_test_sync.record_exit(sys.exc_info()[0].__name__)


def sleep_in_c(event, context):
    time.sleep(event["seconds"])  # sleep-ok: blocked in C, beyond the timeout's reach
    return "woke"


def nap(event, context):
    time.sleep(event["seconds"])  # sleep-ok: a handler that blocks briefly (on I/O, say)
    return threading.get_ident()
