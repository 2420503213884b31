import util


def handler(event, context):
    import util as imported_late  # resolved at call time, through the same scope

    return {"value": util.VALUE, "late": imported_late.VALUE}
