import eventsim_no_such_module  # noqa: F401


def handler(event, context):
    return "unreachable"
