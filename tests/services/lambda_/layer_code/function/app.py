"""A handler whose helper module comes from its layers."""

import greetings


def handler(event, context):
    return greetings.WORD
