"""The SNS service: topics, subscriptions and publishing.

Each method is one SNS operation (named ``xform_name(Operation)``), takes the operation's input
members as snake_case keywords and returns a dict keyed by the output shape's members. A publish
and every delivery it produces commit in one unit (see `eventsim.services.sns.publisher`).

Topics are also a target of other services: the dispatcher hands ``topic`` outbox rows
(``{"Message", "Subject"?, "MessageAttributes"?, "MessageGroupId"?,
"MessageDeduplicationId"?}``, or an asynchronous invocation's destination record as it is) to
`SNSService.deliver_topic`, which publishes them inside the dispatcher's own unit.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from eventsim.errors import AwsError, NotImplementedOperation
from eventsim.events import sns as sns_events
from eventsim.ids import new_uuid, random_hex
from eventsim.services.base import Pending, ServiceContext, record_traced_write
from eventsim.services.sns.checks import (
    MAX_TAGS,
    check_endpoint,
    check_large_message_subscriptions,
    check_maximum_message_size,
    check_subscription_attribute,
    check_topic_arn,
    check_topic_delivery_policy,
    page,
    tags_from_api,
    tags_of,
)
from eventsim.services.sns.errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    FilterPolicyLimitExceeded,
    InvalidBatchEntryId,
    InvalidParameter,
    NotFound,
    TagLimitExceeded,
    TooManyEntriesInBatchRequest,
)
from eventsim.services.sns.models import (
    DEFAULT_MAXIMUM_MESSAGE_SIZE,
    SUBSCRIPTION_ATTRIBUTES,
    TOPIC_ATTRIBUTES,
    Subscription,
    Topic,
    list_topics,
    load_subscription,
    load_subscriptions,
    load_topic,
    topic_arn,
    validate_topic_name,
)
from eventsim.services.sns.permissions import TopicPermissionOperations
from eventsim.services.sns.publisher import Entry, Publisher, message_size, validate_entry
from eventsim.store.outbox import OutboxRow, add_outbox_row
from eventsim.tracing import Cause

__all__ = ["SNSService"]

LOG = logging.getLogger(__name__)

MAX_BATCH = 10
MAX_POLICIES_PER_TOPIC = 200
_SUPPORTED = ("lambda", "sqs", "http", "https")
_KNOWN_PROTOCOLS = ("email", "email-json", "sms", "application", "firehose")
_BATCH_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


class SNSService(TopicPermissionOperations):
    """Topics, subscriptions and publishing, stored in SQLite."""

    def __init__(self, ctx: ServiceContext, *,
                 endpoint_url: Callable[[], str | None] = lambda: None) -> None:
        self._ctx = ctx
        self._endpoint_url = endpoint_url
        self._topics: set[str] = set()
        self._publisher = Publisher(
            ctx.region, ctx.account_id, self._base_url,
            function_exists=lambda arn: ctx.resource_exists("function", arn),
            may_invoke=lambda arn, topic: ctx.invoke_permitted(arn, "sns.amazonaws.com", topic))

    def _base_url(self) -> str:
        """Where SubscribeURL and UnsubscribeURL point: the gateway when it serves, else AWS."""
        url = self._endpoint_url()
        return url.rstrip("/") if url else f"https://sns.{self._ctx.region}.amazonaws.com"

    async def load(self) -> None:
        """Learn which topics exist (at start)."""
        rows = await self._ctx.db.read(
            lambda c: c.execute("SELECT arn FROM sns_topics").fetchall())
        self._topics = {r[0] for r in rows}

    def exists(self, arn: str) -> bool:
        """Whether the topic exists (for other services' destination checks)."""
        return arn in self._topics

    # -- topics ----------------------------------------------------------------------------

    async def create_topic(
        self,
        *,
        name: str,
        attributes: Mapping[str, str] | None = None,
        tags: list[Mapping[str, str]] | None = None,
        data_protection_policy: str | None = None,
    ) -> dict[str, Any]:
        """CreateTopic; creating an existing topic with the same settings returns its ARN."""
        attrs = dict(attributes or {})
        for key in attrs:
            if key not in TOPIC_ATTRIBUTES:
                raise InvalidParameter("Invalid parameter: Attributes Reason: Unknown attribute "
                                       f"{key}")
        fifo = attrs.get("FifoTopic", "").lower() == "true"
        if "FifoTopic" in attrs and not fifo:
            attrs.pop("FifoTopic")
        if fifo:
            attrs["FifoTopic"] = "true"
        validate_topic_name(name, fifo)
        if "ContentBasedDeduplication" in attrs and not fifo:
            raise InvalidParameter("Invalid parameter: Attributes Reason: Content based "
                                   "deduplication can only be set for FIFO topics")
        if "DeliveryPolicy" in attrs:
            check_topic_delivery_policy(attrs["DeliveryPolicy"])
        if "MaximumMessageSize" in attrs:
            check_maximum_message_size(attrs["MaximumMessageSize"], "Attributes Reason: ")
        if data_protection_policy is not None:
            raise NotImplementedOperation("eventsim does not implement SNS data protection "
                                          "policies yet")
        tag_map = tags_from_api(tags or [])
        arn = topic_arn(self._ctx.region, self._ctx.account_id, name)
        now = self._ctx.clock.time()

        def unit(conn: sqlite3.Connection) -> None:
            row = conn.execute("SELECT attributes, tags FROM sns_topics WHERE arn = ?",
                               (arn,)).fetchone()
            if row is not None:
                if attrs and json.loads(row["attributes"]) != attrs:
                    raise InvalidParameter("Invalid parameter: Attributes Reason: Topic already "
                                           "exists with different attributes")
                if tag_map and json.loads(row["tags"]) != tag_map:
                    raise InvalidParameter("Invalid parameter: Tags Reason: Topic already exists "
                                           "with different tags")
                return
            conn.execute(
                "INSERT INTO sns_topics (arn, name, attributes, tags, created_at) "
                "VALUES (?,?,?,?,?)",
                (arn, name, json.dumps(attrs), json.dumps(tag_map), now))

        await self._ctx.db.write(unit)
        self._topics.add(arn)
        return {"TopicArn": arn}

    async def delete_topic(self, *, topic_arn: str) -> dict[str, Any]:
        """DeleteTopic, with its subscriptions; deleting a missing topic succeeds."""
        check_topic_arn(topic_arn)

        def unit(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM sns_topics WHERE arn = ?", (topic_arn,))
            conn.execute("DELETE FROM sns_deduplication WHERE topic_arn = ?", (topic_arn,))

        await self._ctx.db.write(unit)
        self._topics.discard(topic_arn)
        return {}

    async def list_topics(self, *, next_token: str | None = None) -> dict[str, Any]:
        """ListTopics, 100 a page."""
        topics = await self._ctx.db.read(list_topics)
        chunk, token = page(topics, next_token)
        result: dict[str, Any] = {"Topics": [{"TopicArn": t.arn} for t in chunk]}
        if token is not None:
            result["NextToken"] = token
        return result

    async def get_topic_attributes(self, *, topic_arn: str) -> dict[str, Any]:
        """GetTopicAttributes."""
        check_topic_arn(topic_arn)

        def read(conn: sqlite3.Connection) -> tuple[Topic, tuple[int, int]]:
            topic = load_topic(conn, topic_arn)
            row = conn.execute(
                "SELECT SUM(confirmed), SUM(1 - confirmed) FROM sns_subscriptions "
                "WHERE topic_arn = ?", (topic_arn,)).fetchone()
            return topic, (int(row[0] or 0), int(row[1] or 0))

        topic, counts = await self._ctx.db.read(read)
        return {"Attributes": topic.reported_attributes(self._ctx.account_id, counts)}

    async def set_topic_attributes(
        self, *, topic_arn: str, attribute_name: str, attribute_value: str | None = None
    ) -> dict[str, Any]:
        """SetTopicAttributes."""
        check_topic_arn(topic_arn)
        if attribute_name not in TOPIC_ATTRIBUTES or attribute_name == "FifoTopic":
            raise InvalidParameter("Invalid parameter: AttributeName")
        if attribute_name == "DeliveryPolicy" and attribute_value:
            check_topic_delivery_policy(attribute_value)
        large = False
        if attribute_name == "MaximumMessageSize" and attribute_value:
            large = check_maximum_message_size(attribute_value) > DEFAULT_MAXIMUM_MESSAGE_SIZE

        def unit(conn: sqlite3.Connection) -> None:
            topic = load_topic(conn, topic_arn)
            if large:
                check_large_message_subscriptions(
                    [s.protocol for s in load_subscriptions(conn, topic_arn)])
            if attribute_name == "ContentBasedDeduplication" and not topic.fifo:
                raise InvalidParameter("Invalid parameter: ContentBasedDeduplication Reason: "
                                       "Content based deduplication can only be set for FIFO "
                                       "topics")
            topic.attributes[attribute_name] = attribute_value or ""
            conn.execute("UPDATE sns_topics SET attributes = ? WHERE arn = ?",
                         (json.dumps(topic.attributes), topic_arn))

        await self._ctx.db.write(unit)
        return {}

    # -- subscriptions ---------------------------------------------------------------------

    async def subscribe(
        self,
        *,
        topic_arn: str,
        protocol: str,
        endpoint: str | None = None,
        attributes: Mapping[str, str] | None = None,
        return_subscription_arn: bool = False,
    ) -> dict[str, Any]:
        """Subscribe. Functions and queues are confirmed at once; an HTTP/S endpoint is sent a
        SubscriptionConfirmation and stays pending until ConfirmSubscription."""
        check_topic_arn(topic_arn)
        protocol = protocol.lower()
        if protocol in _KNOWN_PROTOCOLS:
            raise NotImplementedOperation(
                f"eventsim does not deliver to {protocol} subscriptions yet")
        if protocol not in _SUPPORTED:
            raise InvalidParameter("Invalid parameter: Amazon SNS does not support this "
                                   f"protocol string: {protocol}")
        endpoint = endpoint or ""
        check_endpoint(protocol, endpoint)
        attrs = dict(attributes or {})
        for name, value in attrs.items():
            check_subscription_attribute(protocol, name, value, attrs, subscribe=True)
        now = self._ctx.clock.time()
        http = protocol in ("http", "https")
        pending = Pending()

        def unit(conn: sqlite3.Connection) -> Subscription:
            topic = load_topic(conn, topic_arn)
            if topic.fifo and protocol != "sqs":
                raise InvalidParameter("Invalid parameter: Invalid protocol type: " + protocol)
            if not topic.fifo and protocol == "sqs" and endpoint.endswith(".fifo"):
                raise InvalidParameter("Invalid parameter: Invalid parameter: Endpoint Reason: "
                                       "FIFO SQS Queues can not be subscribed to standard SNS "
                                       "topics")
            existing_subscriptions = load_subscriptions(conn, topic_arn)
            if topic.maximum_message_size > DEFAULT_MAXIMUM_MESSAGE_SIZE:
                check_large_message_subscriptions(
                    [s.protocol for s in existing_subscriptions] + [protocol])
            for existing in existing_subscriptions:
                if existing.protocol == protocol and existing.endpoint == endpoint:
                    if attrs and existing.attributes != attrs:
                        raise InvalidParameter("Invalid parameter: Attributes Reason: "
                                               "Subscription already exists with different "
                                               "attributes")
                    if not existing.confirmed:
                        self._confirmation(conn, existing, now, pending)  # sent again
                    return existing
            if attrs.get("FilterPolicy"):
                _check_policy_count(conn, topic_arn)
            subscription = Subscription(
                arn=f"{topic_arn}:{new_uuid()}", topic_arn=topic_arn, protocol=protocol,
                endpoint=endpoint, attributes=attrs, token=random_hex(64) if http else None,
                confirmed=not http,
            )
            conn.execute(
                "INSERT INTO sns_subscriptions (arn, topic_arn, protocol, endpoint, attributes, "
                "token, confirmed, created_at) VALUES (?,?,?,?,?,?,?,?)",
                (subscription.arn, topic_arn, protocol, endpoint, json.dumps(attrs),
                 subscription.token, int(subscription.confirmed), now))
            if http:
                self._confirmation(conn, subscription, now, pending)
            return subscription

        subscription = await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        if return_subscription_arn:
            return {"SubscriptionArn": subscription.arn}
        return {"SubscriptionArn": subscription.listed_arn if subscription.confirmed
                else "pending confirmation"}

    def _confirmation(self, conn: sqlite3.Connection, subscription: Subscription, now: float,
                      pending: Pending, *, unsubscribe: bool = False) -> None:
        """Queue the (Un)SubscriptionConfirmation message of an HTTP/S subscription."""
        message_id = new_uuid()
        assert subscription.token is not None
        topic, token, base = subscription.topic_arn, subscription.token, self._base_url()
        headers = {"x-amz-sns-message-id": message_id, "x-amz-sns-topic-arn": topic}
        if unsubscribe:
            body = sns_events.unsubscribe_confirmation(
                message_id=message_id, topic_arn=topic, subscription_arn=subscription.arn,
                token=token, timestamp=now, region=self._ctx.region, subscribe_base=base)
            headers["x-amz-sns-subscription-arn"] = subscription.arn
        else:
            body = sns_events.subscription_confirmation(
                message_id=message_id, topic_arn=topic, token=token, timestamp=now,
                region=self._ctx.region, subscribe_base=base)
        payload = {
            "Endpoint": subscription.endpoint,
            "Headers": {"x-amz-sns-message-type": body["Type"], **headers},
            "Body": json.dumps(body),
        }
        operation = "Unsubscribe" if unsubscribe else "Subscribe"
        add_outbox_row(conn, OutboxRow(
            target_kind="http", target=subscription.arn, payload=json.dumps(payload),
            cause=Cause.for_write(f"sns:{operation} {subscription.topic_arn}", now).to_json(),
            created_at=now))
        pending.outbox = True

    async def confirm_subscription(
        self, *, topic_arn: str, token: str, authenticate_on_unsubscribe: str | None = None
    ) -> dict[str, Any]:
        """ConfirmSubscription with the token an HTTP/S endpoint was sent."""
        check_topic_arn(topic_arn)

        def unit(conn: sqlite3.Connection) -> str:
            load_topic(conn, topic_arn)
            row = conn.execute(
                "SELECT arn FROM sns_subscriptions WHERE topic_arn = ? AND token = ?",
                (topic_arn, token)).fetchone()
            if row is None:
                raise InvalidParameter("Invalid parameter: Token")
            conn.execute("UPDATE sns_subscriptions SET confirmed = 1 WHERE arn = ?", (row[0],))
            return str(row[0])

        return {"SubscriptionArn": await self._ctx.db.write(unit)}

    async def unsubscribe(self, *, subscription_arn: str) -> dict[str, Any]:
        """Unsubscribe; a subscription already gone is no error."""
        if subscription_arn.count(":") < 6 or not subscription_arn.startswith("arn:"):
            raise InvalidParameter("Invalid parameter: SubscriptionArn")
        now = self._ctx.clock.time()
        pending = Pending()

        def unit(conn: sqlite3.Connection) -> None:
            try:
                subscription = load_subscription(conn, subscription_arn)
            except NotFound:
                return
            conn.execute("DELETE FROM sns_subscriptions WHERE arn = ?", (subscription_arn,))
            if subscription.protocol in ("http", "https") and subscription.confirmed:
                self._confirmation(conn, subscription, now, pending, unsubscribe=True)

        await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        return {}

    async def list_subscriptions(self, *, next_token: str | None = None) -> dict[str, Any]:
        """ListSubscriptions, 100 a page."""
        subscriptions = await self._ctx.db.read(load_subscriptions)
        return self._subscription_page(subscriptions, next_token)

    async def list_subscriptions_by_topic(
        self, *, topic_arn: str, next_token: str | None = None
    ) -> dict[str, Any]:
        """ListSubscriptionsByTopic, 100 a page."""
        check_topic_arn(topic_arn)

        def read(conn: sqlite3.Connection) -> list[Subscription]:
            load_topic(conn, topic_arn)
            return load_subscriptions(conn, topic_arn)

        return self._subscription_page(await self._ctx.db.read(read), next_token)

    def _subscription_page(self, subscriptions: list[Subscription],
                           next_token: str | None) -> dict[str, Any]:
        chunk, token = page(subscriptions, next_token)
        result: dict[str, Any] = {"Subscriptions": [
            {"SubscriptionArn": s.listed_arn, "Owner": self._ctx.account_id,
             "Protocol": s.protocol, "Endpoint": s.endpoint, "TopicArn": s.topic_arn}
            for s in chunk
        ]}
        if token is not None:
            result["NextToken"] = token
        return result

    async def get_subscription_attributes(self, *, subscription_arn: str) -> dict[str, Any]:
        """GetSubscriptionAttributes."""
        subscription = await self._ctx.db.read(
            lambda conn: load_subscription(conn, subscription_arn))
        return {"Attributes": subscription.reported_attributes(self._ctx.account_id)}

    async def set_subscription_attributes(
        self, *, subscription_arn: str, attribute_name: str, attribute_value: str | None = None
    ) -> dict[str, Any]:
        """SetSubscriptionAttributes; an empty FilterPolicy removes the policy."""
        value = attribute_value or ""

        def unit(conn: sqlite3.Connection) -> None:
            subscription = load_subscription(conn, subscription_arn)
            attrs = dict(subscription.attributes)
            if attribute_name == "FilterPolicy" and value.strip() in ("", "{}"):
                attrs.pop("FilterPolicy", None)
            else:
                attrs[attribute_name] = value
                check_subscription_attribute(subscription.protocol, attribute_name, value,
                                              attrs, subscribe=False)
                if attribute_name == "FilterPolicy" and \
                        not subscription.attributes.get("FilterPolicy"):
                    _check_policy_count(conn, subscription.topic_arn)
            conn.execute("UPDATE sns_subscriptions SET attributes = ? WHERE arn = ?",
                         (json.dumps(attrs), subscription_arn))

        if attribute_name not in SUBSCRIPTION_ATTRIBUTES:
            raise InvalidParameter("Invalid parameter: AttributeName")
        await self._ctx.db.write(unit)
        return {}

    # -- publishing ------------------------------------------------------------------------

    async def publish(
        self,
        *,
        message: str,
        topic_arn: str | None = None,
        target_arn: str | None = None,
        phone_number: str | None = None,
        subject: str | None = None,
        message_structure: str | None = None,
        message_attributes: Mapping[str, Mapping[str, Any]] | None = None,
        message_deduplication_id: str | None = None,
        message_group_id: str | None = None,
    ) -> dict[str, Any]:
        """Publish to a topic (``TopicArn`` or a topic's ``TargetArn``)."""
        if phone_number is not None:
            raise NotImplementedOperation("eventsim does not send SMS messages")
        if topic_arn is not None and target_arn is not None:
            raise InvalidParameter("Invalid parameter: TopicArn Reason: Only one of TopicArn "
                                   "and TargetArn may be specified")
        arn = topic_arn or target_arn
        if arn is None:
            raise InvalidParameter("Invalid parameter: TopicArn or TargetArn Reason: no value "
                                   "for required parameter")
        if ":endpoint/" in arn:
            raise NotImplementedOperation("eventsim does not deliver to platform endpoints")
        check_topic_arn(arn, "TopicArn" if topic_arn else "TargetArn")
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"sns:Publish {arn}", now)
        pending = Pending()

        def unit(conn: sqlite3.Connection) -> tuple[str, str | None]:
            topic = load_topic(conn, arn)
            entry = validate_entry(
                topic, message=message, subject=subject, message_structure=message_structure,
                message_attributes=message_attributes, message_group_id=message_group_id,
                message_deduplication_id=message_deduplication_id)
            record_traced_write(conn, cause, "sns:Publish", arn, now)
            return self._publisher.publish(conn, topic, entry, now, cause, pending)

        message_id, sequence = await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        result: dict[str, Any] = {"MessageId": message_id}
        if sequence is not None:
            result["SequenceNumber"] = sequence
        return result

    async def publish_batch(
        self, *, topic_arn: str, publish_batch_request_entries: list[Mapping[str, Any]]
    ) -> dict[str, Any]:
        """PublishBatch: up to 10 entries, each succeeding or failing on its own."""
        check_topic_arn(topic_arn)
        entries = publish_batch_request_entries
        if not entries:
            raise EmptyBatchRequest()
        if len(entries) > MAX_BATCH:
            raise TooManyEntriesInBatchRequest()
        ids = [str(e.get("Id", "")) for e in entries]
        if len(set(ids)) != len(ids):
            raise BatchEntryIdsNotDistinct()
        if not all(_BATCH_ID.match(i) for i in ids):
            raise InvalidBatchEntryId()
        total = sum(message_size(e.get("Message"), e.get("MessageAttributes")) for e in entries)
        now = self._ctx.clock.time()
        cause = Cause.for_write(f"sns:PublishBatch {topic_arn}", now)
        pending = Pending()

        def unit(conn: sqlite3.Connection) -> dict[str, Any]:
            topic = load_topic(conn, topic_arn)
            # "The combined size of all messages in the batch, including each message's body
            # and attributes, must not exceed the topic's MaximumMessageSize" (API_PublishBatch).
            if total > topic.maximum_message_size:
                raise BatchRequestTooLong()
            if topic.fifo and not all(e.get("MessageGroupId") for e in entries):
                raise InvalidParameter("Invalid parameter: The MessageGroupId parameter is "
                                       "required for FIFO topics")
            record_traced_write(conn, cause, "sns:PublishBatch", topic_arn, now)
            successful: list[dict[str, Any]] = []
            failed: list[dict[str, Any]] = []
            for item in entries:
                try:
                    entry = validate_entry(
                        topic, message=item.get("Message"), subject=item.get("Subject"),
                        message_structure=item.get("MessageStructure"),
                        message_attributes=item.get("MessageAttributes"),
                        message_group_id=item.get("MessageGroupId"),
                        message_deduplication_id=item.get("MessageDeduplicationId"))
                except AwsError as error:
                    failed.append({"Id": item["Id"], "Code": error.code,
                                   "Message": error.message, "SenderFault": error.sender_fault})
                    continue
                message_id, sequence = self._publisher.publish(conn, topic, entry, now, cause,
                                                               pending)
                done: dict[str, Any] = {"Id": item["Id"], "MessageId": message_id}
                if sequence is not None:
                    done["SequenceNumber"] = sequence
                successful.append(done)
            return {"Successful": successful, "Failed": failed}

        result = await self._ctx.db.write(unit)
        pending.hand_over(self._ctx)
        return result

    def deliver_topic(self, conn: sqlite3.Connection, row: OutboxRow) -> None:
        """The dispatcher's hand-off of a ``topic`` outbox row: publish it, in its unit."""
        try:
            topic = load_topic(conn, row.target)
        except NotFound:
            LOG.warning("topic %s does not exist; event dropped", row.target)
            return
        payload = json.loads(row.payload)
        if not isinstance(payload, dict) or "Message" not in payload:
            # An asynchronous invocation's destination record, which the engine writes as it
            # is: AWS publishes the record itself as the message.
            payload = {"Message": row.payload}
        try:
            entry: Entry = validate_entry(
                topic, message=payload.get("Message"), subject=payload.get("Subject"),
                message_attributes=payload.get("MessageAttributes"),
                message_group_id=payload.get("MessageGroupId"),
                message_deduplication_id=payload.get("MessageDeduplicationId"))
        except AwsError as error:
            LOG.warning("event for topic %s dropped: %s", row.target, error)
            return
        self._publisher.publish(conn, topic, entry, row.created_at, Cause.from_json(row.cause),
                                None)

    # -- tags ------------------------------------------------------------------------------

    async def tag_resource(self, *, resource_arn: str,
                           tags: list[Mapping[str, str]]) -> dict[str, Any]:
        """TagResource (topics)."""
        new = tags_from_api(tags)

        def unit(conn: sqlite3.Connection) -> None:
            current = tags_of(conn, resource_arn)
            current.update(new)
            if len(current) > MAX_TAGS:
                raise TagLimitExceeded()
            conn.execute("UPDATE sns_topics SET tags = ? WHERE arn = ?",
                         (json.dumps(current), resource_arn))

        await self._ctx.db.write(unit)
        return {}

    async def untag_resource(self, *, resource_arn: str, tag_keys: list[str]) -> dict[str, Any]:
        """UntagResource."""

        def unit(conn: sqlite3.Connection) -> None:
            current = tags_of(conn, resource_arn)
            for key in tag_keys:
                current.pop(key, None)
            conn.execute("UPDATE sns_topics SET tags = ? WHERE arn = ?",
                         (json.dumps(current), resource_arn))

        await self._ctx.db.write(unit)
        return {}

    async def list_tags_for_resource(self, *, resource_arn: str) -> dict[str, Any]:
        """ListTagsForResource."""
        tags = await self._ctx.db.read(lambda conn: tags_of(conn, resource_arn))
        return {"Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}


def _check_policy_count(conn: sqlite3.Connection, topic_arn: str) -> None:
    """At most 200 filter policies per topic
    (https://docs.aws.amazon.com/general/latest/gr/sns.html, "Filter policies")."""
    (count,) = conn.execute(
        "SELECT COUNT(*) FROM sns_subscriptions WHERE topic_arn = ? AND "
        "COALESCE(json_extract(attributes, '$.FilterPolicy'), '') != ''", (topic_arn,)).fetchone()
    if count >= MAX_POLICIES_PER_TOPIC:
        raise FilterPolicyLimitExceeded()
