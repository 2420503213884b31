import logging
import os
import time

COUNTER = {"calls": 0}
LOG = logging.getLogger()


def echo(event, context):
    COUNTER["calls"] += 1
    print(f"echo called {COUNTER['calls']}")
    LOG.warning("a warning")
    return {
        "event": event,
        "calls": COUNTER["calls"],
        "pid": os.getpid(),
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "memory": context.memory_limit_in_mb,
        "remaining": context.get_remaining_time_in_millis(),
        "arn": context.invoked_function_arn,
        "trace": os.environ.get("_X_AMZN_TRACE_ID"),
        "runtime_api": os.environ.get("AWS_LAMBDA_RUNTIME_API"),
        "task_root": os.environ.get("LAMBDA_TASK_ROOT"),
        "handler": os.environ.get("_HANDLER"),
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
        "custom": os.environ.get("CUSTOM"),
    }


class OrderError(Exception):
    pass


def fail(event, context):
    print("about to fail")
    raise OrderError("order 42 is invalid")


def sleep(event, context):
    print("going to sleep")
    time.sleep(event.get("seconds", 30))  # sleep-ok: the handler under test is slow
    return "woke"


def hog(event, context):
    chunks = []
    for _ in range(event.get("mb", 1024)):
        chunks.append(bytearray(1024 * 1024))
    return len(chunks)


def exits(event, context):
    os._exit(3)


def not_json(event, context):
    return {1, 2}
