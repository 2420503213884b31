"""A module a layer holds, as /opt/python/greetings.py on Lambda."""

WORD = "hello from the shared layer"
