import os

STATE = {"calls": 0}


def handler(event, context):
    STATE["calls"] += 1
    print("awslambdaric handler", context.aws_request_id)
    return {"event": event, "calls": STATE["calls"], "pid": os.getpid(),
            "function": context.function_name,
            "remaining_ok": context.get_remaining_time_in_millis() > 0}


class PaymentDeclined(Exception):
    pass


def fails(event, context):
    raise PaymentDeclined("card 4242 declined")
