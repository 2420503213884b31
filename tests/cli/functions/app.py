"""Handlers for the ``eventsim invoke`` tests."""

import urllib.parse


def decoded_key(event, context):
    key = urllib.parse.unquote_plus(event["Records"][0]["s3"]["object"]["key"])
    print(f"key: {key}")
    return key


def echo(event, context):
    return event


def fail(event, context):
    raise ValueError("no thumbnails today")
