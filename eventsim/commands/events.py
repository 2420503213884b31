"""``eventsim events generate SERVICE EVENT [options]``: a sample event as JSON on stdout.

    eventsim events generate s3 put --bucket uploads --key 'a b.jpg' | eventsim invoke fn -e -

Like ``sam local generate-event``. The events are built by `eventsim.events.samples`, with
the values the services themselves use (sequence numbers, sizes, the S3 owner), and name the
simulator's default account, so an ARN in one matches a resource ``eventsim serve`` made.
"""

from __future__ import annotations

import argparse
import binascii
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from eventsim.commands.common import EXIT_OK, pipe_safe
from eventsim.config import DEFAULT_ACCOUNT, DEFAULT_REGION
from eventsim.errors import ConfigError, EventsimError
from eventsim.events import samples
from eventsim.events.s3 import sequencer_for
from eventsim.services.dynamodb.storage import SEQUENCE_BASE, stream_label
from eventsim.services.dynamodb.values import from_json, item_size, to_json, validate_item
from eventsim.services.kinesis.sequence import SequenceNumber, encode
from eventsim.services.kinesis.shards import shard_id
from eventsim.services.s3.objects import OWNER_PRINCIPAL
from eventsim.services.sqs.service import SENDER_ID

__all__ = ["register"]

Builder = Callable[[argparse.Namespace, float], dict[str, Any]]

_VIEW_TYPES = ("NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    events = commands.add_parser(
        "events", help="sample events for testing functions",
        description="Sample AWS events, shaped exactly as the simulator delivers them.",
    )
    events.set_defaults(func=_missing(events), log_level="warning")
    generate = events.add_subparsers(dest="events_command", metavar="COMMAND").add_parser(
        "generate", help="print a sample event as JSON",
        description="Print a sample event a function receives from SERVICE, as JSON "
        "(like sam local generate-event). Pipe it to eventsim invoke FUNCTION -e -.",
    )
    generate.set_defaults(func=_missing(generate))
    services = generate.add_subparsers(dest="service", metavar="SERVICE")

    s3 = _service(services, "s3", "Amazon S3 event notifications")
    for name, summary, builder in (("put", "an ObjectCreated:Put notification", _s3_put),
                                   ("delete", "an ObjectRemoved:Delete notification",
                                    _s3_delete)):
        leaf = _event(s3, name, summary, builder)
        leaf.add_argument("--bucket", default="example-bucket",
                          help="bucket name (default: example-bucket)")
        leaf.add_argument("--key", default="test/key",
                          help="object key, raw: the record URL-encodes it as S3 does "
                          "(default: test/key)")
        if name == "put":
            leaf.add_argument("--size", type=_non_negative, default=1024,
                              help="object size in bytes (default: 1024)")

    sns = _service(services, "sns", "Amazon SNS deliveries to a function")
    leaf = _event(sns, "notification", "a message published to a topic", _sns_notification)
    leaf.add_argument("--topic", default="example-topic",
                      help="topic name or ARN (default: example-topic)")
    leaf.add_argument("--message", default="Hello from SNS!",
                      help="message text (default: Hello from SNS!)")
    leaf.add_argument("--subject", default=None, help="subject (default: none, as null)")
    leaf.add_argument("--attribute", action="append", default=[], metavar="NAME=VALUE",
                      help="a String message attribute; repeat for more")

    sqs = _service(services, "sqs", "Amazon SQS batches from an event source mapping")
    leaf = _event(sqs, "receive-message", "a batch of one received message",
                  _sqs_receive_message)
    leaf.add_argument("--queue", default="example-queue",
                      help="queue name or ARN (default: example-queue)")
    leaf.add_argument("--body", default="Hello from SQS!",
                      help="message body (default: Hello from SQS!)")

    ddb = _service(services, "dynamodb", "DynamoDB Streams batches from an event source mapping")
    leaf = _event(ddb, "update", "a MODIFY stream record", _dynamodb_update)
    leaf.add_argument("--table", default="example-table",
                      help="table name (default: example-table)")
    leaf.add_argument("--keys", default='{"Id": {"N": "101"}}', metavar="JSON",
                      help='the item\'s key, DynamoDB JSON (default: {"Id": {"N": "101"}})')
    leaf.add_argument("--new-image", default=None, metavar="JSON",
                      help="the item after the change, DynamoDB JSON (default: the keys and "
                      'Message "This item has changed")')
    leaf.add_argument("--old-image", default=None, metavar="JSON",
                      help='the item before, DynamoDB JSON (default: the keys and Message '
                      '"New item!")')
    leaf.add_argument("--view-type", choices=_VIEW_TYPES, default="NEW_AND_OLD_IMAGES",
                      help="the stream's view type (default: NEW_AND_OLD_IMAGES)")

    kinesis = _service(services, "kinesis", "Kinesis batches from an event source mapping")
    leaf = _event(kinesis, "get-records", "a batch of one stream record", _kinesis_get_records)
    leaf.add_argument("--stream", default="example-stream",
                      help="stream name or ARN (default: example-stream)")
    leaf.add_argument("--partition-key", default="1", help="partition key (default: 1)")
    leaf.add_argument("--data", default="Hello, this is a test.",
                      help="the record's data as text; the record carries it in base64")


def _service(services: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
             summary: str) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    parser = services.add_parser(name, help=summary, description=f"Sample {summary}.")
    parser.set_defaults(func=_missing(parser))
    return parser.add_subparsers(dest="event", metavar="EVENT")


def _event(events: argparse._SubParsersAction[argparse.ArgumentParser], name: str, summary: str,
           builder: Builder) -> argparse.ArgumentParser:
    parser = events.add_parser(name, help=summary, description=f"Print {summary} as JSON.")
    parser.add_argument("--region", default=DEFAULT_REGION,
                        help=f"region of the event (default: {DEFAULT_REGION})")
    parser.add_argument("--account", default=DEFAULT_ACCOUNT,
                        help=f"account in ARNs (default: {DEFAULT_ACCOUNT}, the simulator's)")
    parser.add_argument("--compact", action="store_true", help="one line, no indentation")
    parser.set_defaults(func=pipe_safe(
        lambda args: _print(builder(args, time.time()), args.compact)))
    return parser


def _missing(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def show_usage(args: argparse.Namespace) -> int:
        names = [name for action in parser._actions
                 if isinstance(action, argparse._SubParsersAction) for name in action.choices]
        what = parser._actions[-1].metavar or "COMMAND"
        parser.error(f"missing {what}: one of {', '.join(names)} (--help says more)")
        return 2  # pragma: no cover: error() exits
    return show_usage


def _print(event: dict[str, Any], compact: bool) -> int:
    text = json.dumps(event, separators=(",", ":")) if compact else json.dumps(event, indent=2)
    sys.stdout.write(text + "\n")
    return EXIT_OK


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"cannot be negative: {value}")
    return value


def _arn(service: str, args: argparse.Namespace, name: str, prefix: str = "") -> str:
    if name.startswith("arn:"):
        return name
    return f"arn:aws:{service}:{args.region}:{args.account}:{prefix}{name}"


# -- builders --------------------------------------------------------------------------------


def _s3_put(args: argparse.Namespace, now: float) -> dict[str, Any]:
    return samples.s3_put(bucket=args.bucket, key=args.key, size=args.size, region=args.region,
                          now=now, owner_id=OWNER_PRINCIPAL, sequencer=_sequencer(now))


def _s3_delete(args: argparse.Namespace, now: float) -> dict[str, Any]:
    return samples.s3_delete(bucket=args.bucket, key=args.key, region=args.region, now=now,
                             owner_id=OWNER_PRINCIPAL, sequencer=_sequencer(now))


def _sequencer(now: float) -> str:
    return sequencer_for(int(now * 1000))


def _sns_notification(args: argparse.Namespace, now: float) -> dict[str, Any]:
    attributes: dict[str, str] = {}
    for pair in args.attribute:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ConfigError(f"--attribute {pair!r}: expected NAME=VALUE")
        attributes[name] = value
    return samples.sns_notification(topic_arn=_arn("sns", args, args.topic),
                                    message=args.message, subject=args.subject,
                                    attributes=attributes, region=args.region, now=now)


def _sqs_receive_message(args: argparse.Namespace, now: float) -> dict[str, Any]:
    return samples.sqs_receive_message(queue_arn=_arn("sqs", args, args.queue), body=args.body,
                                       sender_id=SENDER_ID, region=args.region, now=now)


def _dynamodb_update(args: argparse.Namespace, now: float) -> dict[str, Any]:
    keys = _item("--keys", args.keys)
    new = (_item("--new-image", args.new_image) if args.new_image is not None
           else {**keys, "Message": {"S": "This item has changed"}})
    old = (_item("--old-image", args.old_image) if args.old_image is not None
           else {**keys, "Message": {"S": "New item!"}})
    for option, image in (("--new-image", new), ("--old-image", old)):
        missing = [name for name in keys if name not in image]
        if missing:
            raise ConfigError(f"{option}: lacks the key attribute(s) {', '.join(missing)} "
                              "of --keys")
    # The stream was enabled an hour ago: its label is a time before the record's.
    stream_arn = _arn("dynamodb", args, f"{args.table}/stream/{stream_label(now - 3600)}",
                      "table/")
    return samples.dynamodb_update(
        stream_arn=stream_arn, keys=to_json(keys), new_image=to_json(new),
        old_image=to_json(old), view_type=args.view_type,
        sequence_number=str(SEQUENCE_BASE + 1),
        sizes=(item_size(keys), item_size(new), item_size(old)), region=args.region, now=now)


def _item(option: str, text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{option}: not JSON: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise ConfigError(f'{option}: expected a map of attribute names to DynamoDB JSON '
                          'values, e.g. {"Id": {"S": "a"}}')
    try:
        return validate_item(from_json(data))
    except EventsimError as exc:
        raise ConfigError(f"{option}: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        raise ConfigError(f'{option}: not DynamoDB JSON: each value is one of {{"S": ...}}, '
                          '{"N": "..."}, {"B": base64}, {"BOOL": ...}, {"M": {...}}, '
                          '{"L": [...]}, ...') from None


def _kinesis_get_records(args: argparse.Namespace, now: float) -> dict[str, Any]:
    index = 0
    sequence_number = encode(SequenceNumber(shard_created=int(now) - 3600, shard_index=index,
                                            counter=1, arrival=int(now)))
    return samples.kinesis_get_records(
        stream_arn=_arn("kinesis", args, args.stream, "stream/"), shard_id=shard_id(index),
        sequence_number=sequence_number, partition_key=args.partition_key,
        data=args.data.encode(),
        invoke_identity_arn=f"arn:aws:iam::{args.account}:role/service-role/lambda-role",
        region=args.region, now=now)
