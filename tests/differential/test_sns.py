"""SNS: the same boto3 calls against moto's server and eventsim's gateway, outcomes compared.

Each step runs on both, in order, on its own topics; most must agree (response shape, or error
code and HTTP status). Where moto departs from AWS the step names the AWS behaviour eventsim
follows, and both outcomes are asserted, so a change on either side shows up here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from compare import Outcome, outcome

ACCOUNT = "000000000000"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:differential"


_ACCOUNTS: dict[int, str] = {}


def _arn(client: Any, name: str) -> str:
    """A topic ARN in the client's account (moto's server uses 123456789012, eventsim
    000000000000)."""
    account = _ACCOUNTS.get(id(client))
    if account is None:
        arn = client.create_topic(Name="d-account")["TopicArn"]
        account = _ACCOUNTS[id(client)] = arn.split(":")[4]
    return f"arn:aws:sns:us-east-1:{account}:{name}"


Step = tuple[str, Callable[[Any], Any]]

# Steps whose outcomes must be the same on both.
SAME: list[Step] = [
    ("create_topic", lambda c: c.create_topic(Name="d-orders")),
    ("create_topic_again", lambda c: c.create_topic(Name="d-orders")),
    ("create_topic_bad_name", lambda c: c.create_topic(Name="bad name")),
    ("create_fifo_topic", lambda c: c.create_topic(
        Name="d-orders.fifo", Attributes={"FifoTopic": "true"})),
    ("create_fifo_topic_without_suffix", lambda c: c.create_topic(
        Name="d-orders", Attributes={"FifoTopic": "true"})),
    ("create_topic_with_tags", lambda c: c.create_topic(
        Name="d-tagged", Tags=[{"Key": "team", "Value": "a"}])),
    ("list_topics", lambda c: c.list_topics()),
    ("get_topic_attributes_missing", lambda c: c.get_topic_attributes(
        TopicArn=_arn(c, "d-missing"))),
    ("set_topic_attributes", lambda c: c.set_topic_attributes(
        TopicArn=_arn(c, "d-orders"), AttributeName="DisplayName", AttributeValue="Orders")),
    ("publish", lambda c: c.publish(TopicArn=_arn(c, "d-orders"), Message="m", Subject="s",
                                    MessageAttributes={"a": {"DataType": "String",
                                                             "StringValue": "b"}})),
    ("publish_missing_topic", lambda c: c.publish(TopicArn=_arn(c, "d-missing"), Message="m")),
    ("publish_too_long", lambda c: c.publish(TopicArn=_arn(c, "d-orders"), Message="x" * 262145)),
    ("publish_batch", lambda c: c.publish_batch(TopicArn=_arn(c, "d-orders"),
                                                PublishBatchRequestEntries=[
                                                    {"Id": "a", "Message": "m"},
                                                    {"Id": "b", "Message": "n"}])),
    ("publish_batch_too_many", lambda c: c.publish_batch(
        TopicArn=_arn(c, "d-orders"),
        PublishBatchRequestEntries=[{"Id": str(i), "Message": "m"} for i in range(11)])),
    ("publish_batch_same_ids", lambda c: c.publish_batch(
        TopicArn=_arn(c, "d-orders"),
        PublishBatchRequestEntries=[{"Id": "a", "Message": "m"}, {"Id": "a", "Message": "n"}])),
    ("subscribe_sqs", lambda c: c.subscribe(TopicArn=_arn(c, "d-orders"), Protocol="sqs",
                                            Endpoint=QUEUE, ReturnSubscriptionArn=True)),
    ("subscribe_again", lambda c: c.subscribe(TopicArn=_arn(c, "d-orders"), Protocol="sqs",
                                              Endpoint=QUEUE)),
    ("subscribe_missing_topic", lambda c: c.subscribe(
        TopicArn=_arn(c, "d-missing"), Protocol="sqs", Endpoint=QUEUE)),
    ("subscribe_bad_filter_policy", lambda c: c.subscribe(
        TopicArn=_arn(c, "d-orders"), Protocol="sqs", Endpoint=QUEUE + "-2",
        Attributes={"FilterPolicy": json.dumps({"a": "b"})})),
    ("subscribe_too_many_keys", lambda c: c.subscribe(
        TopicArn=_arn(c, "d-orders"), Protocol="sqs", Endpoint=QUEUE + "-2",
        Attributes={"FilterPolicy": json.dumps({f"k{i}": ["v"] for i in range(6)})})),
    ("list_subscriptions", lambda c: c.list_subscriptions()),
    ("list_subscriptions_by_topic", lambda c: c.list_subscriptions_by_topic(
        TopicArn=_arn(c, "d-orders"))),
    ("list_subscriptions_by_missing_topic", lambda c: c.list_subscriptions_by_topic(
        TopicArn=_arn(c, "d-missing"))),
    ("get_subscription_attributes_missing", lambda c: c.get_subscription_attributes(
        SubscriptionArn=_arn(c, "d-orders") + ":00000000-0000-4000-8000-000000000000")),
    ("set_subscription_filter_policy", lambda c: c.set_subscription_attributes(
        SubscriptionArn=_first_subscription(c), AttributeName="FilterPolicy",
        AttributeValue=json.dumps({"a": ["b"]}))),
    ("set_subscription_unknown_attribute", lambda c: c.set_subscription_attributes(
        SubscriptionArn=_first_subscription(c), AttributeName="Colour", AttributeValue="x")),
    ("tag_resource", lambda c: c.tag_resource(ResourceArn=_arn(c, "d-orders"),
                                              Tags=[{"Key": "k", "Value": "v"}])),
    ("list_tags_for_resource", lambda c: c.list_tags_for_resource(
        ResourceArn=_arn(c, "d-orders"))),
    ("list_tags_for_missing_resource", lambda c: c.list_tags_for_resource(
        ResourceArn=_arn(c, "d-missing"))),
    ("untag_resource", lambda c: c.untag_resource(ResourceArn=_arn(c, "d-orders"),
                                                  TagKeys=["k"])),
    ("unsubscribe", lambda c: c.unsubscribe(SubscriptionArn=_first_subscription(c))),
    ("unsubscribe_again", lambda c: c.unsubscribe(
        SubscriptionArn=_arn(c, "d-orders") + ":00000000-0000-4000-8000-000000000000")),
    ("delete_topic", lambda c: c.delete_topic(TopicArn=_arn(c, "d-tagged"))),
    ("delete_topic_again", lambda c: c.delete_topic(TopicArn=_arn(c, "d-tagged"))),
]


def _first_subscription(client: Any) -> str:
    subscriptions = client.list_subscriptions_by_topic(TopicArn=_arn(client, "d-orders"))
    return str(subscriptions["Subscriptions"][0]["SubscriptionArn"])


@pytest.fixture(scope="module")
def sns_clients(clients: Any) -> tuple[Any, Any]:
    pair: tuple[Any, Any] = clients("sns")
    return pair


@pytest.mark.parametrize(("name", "step"), [pytest.param(n, s, id=n) for n, s in SAME])
def test_same_outcome(sns_clients: tuple[Any, Any], name: str,
                      step: Callable[[Any], Any]) -> None:
    moto, ours = sns_clients
    assert outcome(lambda: step(ours)) == outcome(lambda: step(moto))


def _both(sns_clients: tuple[Any, Any], step: Callable[[Any], Any]) -> tuple[Outcome, Outcome]:
    moto, ours = sns_clients
    return outcome(lambda: step(moto)), outcome(lambda: step(ours))


def _attributes(result: Outcome) -> set[str]:
    kind, shape = result
    assert kind == "ok"
    return set(shape["Attributes"])


def test_get_topic_attributes_moto_adds_an_empty_delivery_policy(
        sns_clients: tuple[Any, Any]) -> None:
    # AWS reports DeliveryPolicy only once one is set; the effective policy is always there
    # (https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html).
    moto, ours = _both(sns_clients, lambda c: c.get_topic_attributes(
        TopicArn=c.create_topic(Name="d-attributes")["TopicArn"]))
    assert _attributes(moto) - _attributes(ours) == {"DeliveryPolicy"}
    assert _attributes(ours) - _attributes(moto) == set()


def test_get_subscription_attributes_moto_lacks_subscription_principal(
        sns_clients: tuple[Any, Any]) -> None:
    # AWS lists SubscriptionPrincipal among a subscription's attributes
    # (https://docs.aws.amazon.com/sns/latest/api/API_GetSubscriptionAttributes.html).
    def step(client: Any) -> Any:
        topic = client.create_topic(Name="d-sub-attributes")["TopicArn"]
        arn = client.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=QUEUE,
                               ReturnSubscriptionArn=True)["SubscriptionArn"]
        return client.get_subscription_attributes(SubscriptionArn=arn)

    moto, ours = _both(sns_clients, step)
    assert _attributes(ours) - _attributes(moto) == {"SubscriptionPrincipal"}
    assert _attributes(moto) - _attributes(ours) == set()


def test_set_topic_attributes_unknown_name_moto_accepts(sns_clients: tuple[Any, Any]) -> None:
    # AWS answers InvalidParameter ("Invalid parameter: AttributeName") for a name outside
    # the documented list (https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html).
    moto, ours = _both(sns_clients, lambda c: c.set_topic_attributes(
        TopicArn=c.create_topic(Name="d-set")["TopicArn"], AttributeName="Colour",
        AttributeValue="x"))
    assert moto == ("ok", {})
    assert ours == ("error", ("InvalidParameter", 400))


def test_fifo_publish_moto_omits_sequence_number(sns_clients: tuple[Any, Any]) -> None:
    # AWS returns SequenceNumber for every message published to a FIFO topic
    # (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html, "SequenceNumber").
    moto, ours = _both(sns_clients, lambda c: c.publish(
        TopicArn=c.create_topic(Name="d-seq.fifo", Attributes={"FifoTopic": "true"})["TopicArn"],
        Message="m", MessageGroupId="g", MessageDeduplicationId="d"))
    assert moto == ("ok", {"MessageId": "str"})
    assert ours == ("ok", {"MessageId": "str", "SequenceNumber": "str"})


def test_fifo_publish_without_group_moto_says_missing_parameter(
        sns_clients: tuple[Any, Any]) -> None:
    # AWS answers InvalidParameter: "Invalid parameter: The MessageGroupId parameter is
    # required for FIFO topics" (https://docs.aws.amazon.com/sns/latest/dg/fifo-topic-code-examples.html).
    moto, ours = _both(sns_clients, lambda c: c.publish(
        TopicArn=c.create_topic(Name="d-group.fifo",
                                Attributes={"FifoTopic": "true"})["TopicArn"], Message="m"))
    assert moto == ("error", ("MissingParameter", 400))
    assert ours == ("error", ("InvalidParameter", 400))


def test_publish_to_a_missing_queue_moto_fails_the_publish(sns_clients: tuple[Any, Any]) -> None:
    # AWS accepts the publish and delivers asynchronously; a queue that is gone only makes
    # that delivery fail (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html).
    def step(client: Any) -> Any:
        topic = client.create_topic(Name="d-no-queue")["TopicArn"]
        client.subscribe(TopicArn=topic, Protocol="sqs",
                         Endpoint=f"arn:aws:sqs:us-east-1:{ACCOUNT}:not-there")
        return client.publish(TopicArn=topic, Message="m")

    moto, ours = _both(sns_clients, step)
    assert moto == ("error", ("AWS.SimpleQueueService.NonExistentQueue", 400))
    assert ours == ("ok", {"MessageId": "str"})


def test_publish_structure_without_default_moto_accepts(sns_clients: tuple[Any, Any]) -> None:
    # AWS checks a MessageStructure=json message when it is published: it must be a JSON
    # object with a "default" entry (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html,
    # "MessageStructure"); moto only looks when it delivers, so a topic without subscribers
    # takes anything.
    moto, ours = _both(sns_clients, lambda c: c.publish(
        TopicArn=c.create_topic(Name="d-structure")["TopicArn"], Message="{}",
        MessageStructure="json"))
    assert moto == ("ok", {"MessageId": "str"})
    assert ours == ("error", ("InvalidParameter", 400))


def test_subscribe_unknown_protocol_moto_accepts(sns_clients: tuple[Any, Any]) -> None:
    # AWS accepts only its documented protocols (http, https, email, email-json, sms, sqs,
    # application, lambda, firehose: https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html)
    # and answers InvalidParameter for any other.
    moto, ours = _both(sns_clients, lambda c: c.subscribe(
        TopicArn=c.create_topic(Name="d-protocol")["TopicArn"], Protocol="pigeon",
        Endpoint=QUEUE))
    assert moto[0] == "ok"
    assert ours == ("error", ("InvalidParameter", 400))
