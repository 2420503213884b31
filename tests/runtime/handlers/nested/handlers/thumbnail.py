from handlers import common
from handlers.common import PREFIX

from . import common as relative


def handler(event, context):
    return f"{common.PREFIX}:{PREFIX}:{relative.PREFIX}:{event['key']}"
