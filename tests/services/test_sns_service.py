"""The SNS service through the Python API: topics, subscriptions, publishing and fan-out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from eventsim import Simulator, SimulatorConfig
from eventsim.errors import AwsError
from eventsim.store.outbox import OutboxRow

HANDLERS = Path(__file__).parent.parent / "engine" / "handlers"
QUEUE = "arn:aws:sqs:us-east-1:000000000000:orders"


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator


@pytest.fixture
def queued(sim: Simulator) -> list[OutboxRow]:
    """``queue`` outbox rows as the SQS deliverer would be handed them."""
    rows: list[OutboxRow] = []
    sim.dispatcher.register("queue", lambda conn, row: rows.append(row), lambda: None)
    return rows


async def _topic(sim: Simulator, name: str = "orders", **attributes: str) -> str:
    result = await sim.sns.create_topic(name=name, attributes=attributes or None)
    return str(result["TopicArn"])


async def _echo(sim: Simulator, name: str = "echo") -> str:
    fn = await sim.functions.create_function(name=name, handler="behaviours.echo",
                                             code_dir=HANDLERS)
    return fn.arn


async def _error(call: Any) -> AwsError:
    with pytest.raises(AwsError) as exc:
        await call
    return exc.value


def _string(value: str) -> dict[str, str]:
    return {"DataType": "String", "StringValue": value}


# -- topics ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_create_topic_returns_arn_and_is_idempotent(sim: Simulator) -> None:
    arn = await _topic(sim)
    assert arn == "arn:aws:sns:us-east-1:000000000000:orders"
    assert await _topic(sim) == arn
    assert (await sim.sns.list_topics())["Topics"] == [{"TopicArn": arn}]


@pytest.mark.asyncio
async def test_create_topic_with_different_attributes_is_invalid(sim: Simulator) -> None:
    await _topic(sim, DisplayName="a")
    error = await _error(sim.sns.create_topic(name="orders", attributes={"DisplayName": "b"}))
    assert (error.code, error.message) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes")


@pytest.mark.parametrize(("name", "attributes"), [
    pytest.param("has space", {}, id="space"),
    pytest.param("x" * 257, {}, id="too-long"),
    pytest.param("orders.fifo", {}, id="fifo-name-standard-topic"),
    pytest.param("orders", {"FifoTopic": "true"}, id="fifo-topic-without-suffix"),
])
@pytest.mark.asyncio
async def test_create_topic_rejects_bad_names(sim: Simulator, name: str,
                                              attributes: dict[str, str]) -> None:
    error = await _error(sim.sns.create_topic(name=name, attributes=attributes))
    assert error.code == "InvalidParameter"
    assert error.status_code == 400


@pytest.mark.asyncio
async def test_get_topic_attributes_reports_defaults_and_counts(sim: Simulator) -> None:
    arn = await _topic(sim)
    await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE)
    await sim.sns.subscribe(topic_arn=arn, protocol="http", endpoint="http://127.0.0.1:9/x")
    attributes = (await sim.sns.get_topic_attributes(topic_arn=arn))["Attributes"]
    assert attributes["TopicArn"] == arn
    assert attributes["Owner"] == "000000000000"
    assert attributes["SubscriptionsConfirmed"] == "1"
    assert attributes["SubscriptionsPending"] == "1"
    assert json.loads(attributes["Policy"])["Statement"][0]["Resource"] == arn
    assert "FifoTopic" not in attributes


@pytest.mark.asyncio
async def test_set_topic_attributes_then_get(sim: Simulator) -> None:
    arn = await _topic(sim)
    await sim.sns.set_topic_attributes(topic_arn=arn, attribute_name="DisplayName",
                                       attribute_value="Orders")
    attributes = (await sim.sns.get_topic_attributes(topic_arn=arn))["Attributes"]
    assert attributes["DisplayName"] == "Orders"
    error = await _error(sim.sns.set_topic_attributes(topic_arn=arn, attribute_name="Colour",
                                                      attribute_value="x"))
    assert error.message == "Invalid parameter: AttributeName"


@pytest.mark.asyncio
async def test_fifo_topic_reports_fifo_attributes(sim: Simulator) -> None:
    arn = await _topic(sim, "orders.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    attributes = (await sim.sns.get_topic_attributes(topic_arn=arn))["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "true"


@pytest.mark.asyncio
async def test_unknown_topic_is_not_found(sim: Simulator) -> None:
    error = await _error(sim.sns.get_topic_attributes(
        topic_arn="arn:aws:sns:us-east-1:000000000000:nope"))
    assert (error.code, error.message, error.status_code) == (
        "NotFound", "Topic does not exist", 404)


@pytest.mark.asyncio
async def test_malformed_topic_arn_is_invalid_parameter(sim: Simulator) -> None:
    error = await _error(sim.sns.publish(topic_arn="orders", message="m"))
    assert (error.code, error.message) == ("InvalidParameter", "Invalid parameter: TopicArn")


@pytest.mark.asyncio
async def test_delete_topic_deletes_its_subscriptions(sim: Simulator) -> None:
    arn = await _topic(sim)
    await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE)
    await sim.sns.delete_topic(topic_arn=arn)
    assert (await sim.sns.list_topics())["Topics"] == []
    assert (await sim.sns.list_subscriptions())["Subscriptions"] == []
    assert not sim.sns.exists(arn)
    await sim.sns.delete_topic(topic_arn=arn)  # deleting again is no error


@pytest.mark.asyncio
async def test_list_topics_pages_by_100(sim: Simulator) -> None:
    for i in range(105):
        await _topic(sim, f"t{i:03d}")
    first = await sim.sns.list_topics()
    assert len(first["Topics"]) == 100
    second = await sim.sns.list_topics(next_token=first["NextToken"])
    assert len(second["Topics"]) == 5
    assert "NextToken" not in second


@pytest.mark.asyncio
async def test_tags_are_added_listed_and_removed(sim: Simulator) -> None:
    arn = await _topic(sim)
    await sim.sns.tag_resource(resource_arn=arn, tags=[{"Key": "team", "Value": "a"},
                                                        {"Key": "env", "Value": "dev"}])
    await sim.sns.untag_resource(resource_arn=arn, tag_keys=["env"])
    assert (await sim.sns.list_tags_for_resource(resource_arn=arn))["Tags"] == [
        {"Key": "team", "Value": "a"}]
    error = await _error(sim.sns.list_tags_for_resource(resource_arn=arn + "x"))
    assert error.code == "ResourceNotFound"
    error = await _error(sim.sns.tag_resource(
        resource_arn=arn, tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)]))
    assert error.code == "TagLimitExceeded"


# -- subscriptions ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_subscribe_is_idempotent_and_listed(sim: Simulator) -> None:
    arn = await _topic(sim)
    first = await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE)
    again = await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE)
    assert first == again
    assert first["SubscriptionArn"].startswith(arn + ":")
    [listed] = (await sim.sns.list_subscriptions_by_topic(topic_arn=arn))["Subscriptions"]
    assert listed == {"SubscriptionArn": first["SubscriptionArn"], "Owner": "000000000000",
                      "Protocol": "sqs", "Endpoint": QUEUE, "TopicArn": arn}


@pytest.mark.asyncio
async def test_subscribe_rejects_unknown_protocol_and_bad_endpoints(sim: Simulator) -> None:
    arn = await _topic(sim)
    error = await _error(sim.sns.subscribe(topic_arn=arn, protocol="pigeon", endpoint="x"))
    assert error.message == ("Invalid parameter: Amazon SNS does not support this protocol "
                             "string: pigeon")
    error = await _error(sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint="q"))
    assert error.message == "Invalid parameter: SQS endpoint ARN"
    error = await _error(sim.sns.subscribe(topic_arn=arn, protocol="https",
                                           endpoint="http://x"))
    assert error.code == "InvalidParameter"


@pytest.mark.asyncio
async def test_subscribe_protocol_not_simulated_is_not_implemented(sim: Simulator) -> None:
    arn = await _topic(sim)
    error = await _error(sim.sns.subscribe(topic_arn=arn, protocol="email",
                                           endpoint="a@example.com"))
    assert error.code == "NotImplemented"


@pytest.mark.asyncio
async def test_subscription_attributes_reported_and_set(sim: Simulator) -> None:
    arn = await _topic(sim)
    sub = (await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE,
                                   attributes={"RawMessageDelivery": "true"}))["SubscriptionArn"]
    await sim.sns.set_subscription_attributes(subscription_arn=sub,
                                              attribute_name="FilterPolicy",
                                              attribute_value='{"a": ["b"]}')
    attributes = (await sim.sns.get_subscription_attributes(subscription_arn=sub))["Attributes"]
    assert attributes["RawMessageDelivery"] == "true"
    assert attributes["FilterPolicy"] == '{"a": ["b"]}'
    assert attributes["FilterPolicyScope"] == "MessageAttributes"
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["SubscriptionArn"] == sub


@pytest.mark.asyncio
async def test_invalid_filter_policy_errors_name_the_reason(sim: Simulator) -> None:
    arn = await _topic(sim)
    error = await _error(sim.sns.subscribe(
        topic_arn=arn, protocol="sqs", endpoint=QUEUE,
        attributes={"FilterPolicy": '{"a": [{"numeric": [">", "x"]}]}'}))
    assert (error.code, error.message) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: FilterPolicy: Value of > must be numeric")
    sub = (await sim.sns.subscribe(topic_arn=arn, protocol="sqs",
                                   endpoint=QUEUE))["SubscriptionArn"]
    error = await _error(sim.sns.set_subscription_attributes(
        subscription_arn=sub, attribute_name="FilterPolicy",
        attribute_value=json.dumps({f"k{i}": ["v"] for i in range(6)})))
    assert error.message == ("Invalid parameter: FilterPolicy: Filter policy can not have more "
                             "than 5 keys")


@pytest.mark.asyncio
async def test_raw_delivery_is_refused_for_lambda(sim: Simulator) -> None:
    arn = await _topic(sim)
    error = await _error(sim.sns.subscribe(
        topic_arn=arn, protocol="lambda", endpoint=await _echo(sim),
        attributes={"RawMessageDelivery": "true"}))
    assert error.code == "InvalidParameter"
    assert "does not support raw message delivery" in error.message


@pytest.mark.asyncio
async def test_unsubscribe_removes_the_subscription(sim: Simulator) -> None:
    arn = await _topic(sim)
    sub = (await sim.sns.subscribe(topic_arn=arn, protocol="sqs",
                                   endpoint=QUEUE))["SubscriptionArn"]
    await sim.sns.unsubscribe(subscription_arn=sub)
    assert (await sim.sns.list_subscriptions())["Subscriptions"] == []
    error = await _error(sim.sns.get_subscription_attributes(subscription_arn=sub))
    assert (error.code, error.message) == ("NotFound", "Subscription does not exist")


# -- publishing ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_publish_invokes_lambda_subscriber_with_sns_record(sim: Simulator) -> None:
    arn = await _topic(sim)
    sub = (await sim.sns.subscribe(topic_arn=arn, protocol="lambda",
                                   endpoint=await _echo(sim)))["SubscriptionArn"]
    result = await sim.sns.publish(topic_arn=arn, message='{"orderId": 42}', message_attributes={
        "priority": {"DataType": "Number", "StringValue": "5"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x01\x02"},
    })
    await sim.settle()
    [record] = await sim.invocations.list(function="echo")
    assert record.status == "Success"
    [event] = record.event["Records"]
    assert event["EventSource"] == "aws:sns"
    assert event["EventSubscriptionArn"] == sub
    sns = event["Sns"]
    assert sns["MessageId"] == result["MessageId"]
    assert sns["Message"] == '{"orderId": 42}'
    assert sns["Subject"] is None
    assert sns["MessageAttributes"] == {"priority": {"Type": "String", "Value": "5"},
                                        "blob": {"Type": "Binary", "Value": "AQI="}}
    assert record.trigger.startswith("sns:Publish " + arn)


@pytest.mark.asyncio
async def test_filter_policy_lets_one_message_through_and_drops_another(sim: Simulator) -> None:
    arn = await _topic(sim)
    await sim.sns.subscribe(topic_arn=arn, protocol="lambda", endpoint=await _echo(sim),
                            attributes={"FilterPolicy": '{"colour": ["blue"]}'})
    await sim.sns.publish(topic_arn=arn, message="red", message_attributes={
        "colour": _string("red")})
    await sim.sns.publish(topic_arn=arn, message="blue", message_attributes={
        "colour": _string("blue")})
    await sim.settle()
    records = await sim.invocations.list(function="echo")
    assert [r.event["Records"][0]["Sns"]["Message"] for r in records] == ["blue"]


@pytest.mark.asyncio
async def test_body_scope_filter_policy_matches_the_json_body(sim: Simulator,
                                                              queued: list[OutboxRow]) -> None:
    arn = await _topic(sim)
    await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE, attributes={
        "FilterPolicy": '{"order": {"total": [{"numeric": [">", 100]}]}}',
        "FilterPolicyScope": "MessageBody"})
    await sim.sns.publish(topic_arn=arn, message='{"order": {"total": 50}}')
    await sim.sns.publish(topic_arn=arn, message='{"order": {"total": 150}}')
    await sim.sns.publish(topic_arn=arn, message="not json")
    await sim.settle()
    assert [json.loads(json.loads(r.payload)["MessageBody"])["Message"] for r in queued] == [
        '{"order": {"total": 150}}']


@pytest.mark.asyncio
async def test_sqs_subscriber_gets_the_json_envelope(sim: Simulator,
                                                     queued: list[OutboxRow]) -> None:
    arn = await _topic(sim)
    sub = (await sim.sns.subscribe(topic_arn=arn, protocol="sqs",
                                   endpoint=QUEUE))["SubscriptionArn"]
    result = await sim.sns.publish(topic_arn=arn, message="hello", subject="greeting",
                                   message_attributes={"n": {"DataType": "Number",
                                                             "StringValue": "1"}})
    await sim.settle()
    [row] = queued
    assert (row.target_kind, row.target) == ("queue", QUEUE)
    payload = json.loads(row.payload)
    assert set(payload) == {"MessageBody"}
    envelope = json.loads(payload["MessageBody"])
    assert list(envelope) == ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                              "SignatureVersion", "Signature", "SigningCertURL",
                              "UnsubscribeURL", "MessageAttributes"]
    assert envelope["Type"] == "Notification"
    assert envelope["MessageId"] == result["MessageId"]
    assert envelope["Subject"] == "greeting"
    assert envelope["UnsubscribeURL"].endswith("SubscriptionArn=" + sub)
    assert envelope["MessageAttributes"] == {"n": {"Type": "Number", "Value": "1"}}


@pytest.mark.asyncio
async def test_raw_delivery_sends_the_message_and_attributes(sim: Simulator,
                                                             queued: list[OutboxRow]) -> None:
    arn = await _topic(sim)
    await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE,
                            attributes={"RawMessageDelivery": "true"})
    await sim.sns.publish(topic_arn=arn, message="raw body", message_attributes={
        "colour": _string("blue"), "b": {"DataType": "Binary", "BinaryValue": b"\xff"}})
    await sim.settle()
    [row] = queued
    assert json.loads(row.payload) == {
        "MessageBody": "raw body",
        "MessageAttributes": {"colour": {"DataType": "String", "StringValue": "blue"},
                              "b": {"DataType": "Binary", "BinaryValue": "/w=="}},
    }


@pytest.mark.asyncio
async def test_message_structure_json_sends_each_protocol_its_text(
        sim: Simulator, queued: list[OutboxRow]) -> None:
    arn = await _topic(sim)
    await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE)
    await sim.sns.subscribe(topic_arn=arn, protocol="lambda", endpoint=await _echo(sim))
    await sim.sns.publish(topic_arn=arn, message_structure="json",
                          message=json.dumps({"default": "d", "sqs": "for sqs"}))
    await sim.settle()
    assert json.loads(json.loads(queued[0].payload)["MessageBody"])["Message"] == "for sqs"
    [record] = await sim.invocations.list(function="echo")
    assert record.event["Records"][0]["Sns"]["Message"] == "d"


@pytest.mark.parametrize(("kwargs", "message"), [
    pytest.param({"message": ""}, "Invalid parameter: Empty message", id="empty"),
    pytest.param({"message": "x" * (256 * 1024 + 1)}, "Invalid parameter: Message too long",
                 id="too-long"),
    pytest.param({"message": "m", "subject": "x" * 101}, "Invalid parameter: Subject",
                 id="long-subject"),
    pytest.param({"message": "m", "subject": "two\nlines"}, "Invalid parameter: Subject",
                 id="subject-newline"),
    pytest.param({"message": "{}", "message_structure": "json"},
                 "Invalid parameter: Message Structure - No default entry in JSON message body",
                 id="structure-no-default"),
    pytest.param({"message": "nope", "message_structure": "json"},
                 "Invalid parameter: Message Structure - JSON message body failed to parse",
                 id="structure-not-json"),
    pytest.param({"message": "m", "message_deduplication_id": "d"},
                 "Invalid parameter: MessageDeduplicationId Reason: The request includes "
                 "MessageDeduplicationId parameter that is not valid for this topic type",
                 id="dedup-on-standard"),
])
@pytest.mark.asyncio
async def test_publish_rejects_invalid_input(sim: Simulator, kwargs: dict[str, Any],
                                             message: str) -> None:
    arn = await _topic(sim)
    error = await _error(sim.sns.publish(topic_arn=arn, **kwargs))
    assert (error.code, error.message) == ("InvalidParameter", message)


@pytest.mark.parametrize(("name", "attribute", "message"), [
    pytest.param("a", {"DataType": "Number", "StringValue": "x"},
                 "Could not cast message attribute 'a' value to number.", id="bad-number"),
    pytest.param("a", {"DataType": "Colour", "StringValue": "x"},
                 "The message attribute 'a' has an invalid message attribute type, the set of "
                 "supported type prefixes is Binary, Number, and String.", id="bad-type"),
    pytest.param("a", {"DataType": "String", "StringValue": ""},
                 "The message attribute 'a' must contain non-empty message attribute value for "
                 "message attribute type 'String'.", id="empty"),
    pytest.param("a", {"DataType": "Binary", "StringValue": "x"},
                 "The message attribute 'a' with type 'Binary' must use field 'Binary'.",
                 id="wrong-field"),
    pytest.param(".a", {"DataType": "String", "StringValue": "x"},
                 "Invalid message attribute name starting with character '.' was found.",
                 id="leading-dot"),
    pytest.param("a..b", {"DataType": "String", "StringValue": "x"},
                 "Message attribute name can not have successive '.' character.",
                 id="double-dot"),
    pytest.param("a b", {"DataType": "String", "StringValue": "x"},
                 "Invalid non-alphanumeric character '#x20' was found in the message attribute "
                 "name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
                 id="space"),
])
@pytest.mark.asyncio
async def test_publish_rejects_invalid_message_attributes(
        sim: Simulator, name: str, attribute: dict[str, str], message: str) -> None:
    arn = await _topic(sim)
    error = await _error(sim.sns.publish(topic_arn=arn, message="m",
                                         message_attributes={name: attribute}))
    assert (error.code, error.message) == ("ParameterValueInvalid", message)


@pytest.mark.asyncio
async def test_publish_message_at_the_limit_is_accepted(sim: Simulator) -> None:
    arn = await _topic(sim)
    assert (await sim.sns.publish(topic_arn=arn, message="x" * 256 * 1024))["MessageId"]


@pytest.mark.asyncio
async def test_publish_to_target_arn_of_a_topic(sim: Simulator, queued: list[OutboxRow]) -> None:
    arn = await _topic(sim)
    await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE)
    await sim.sns.publish(target_arn=arn, message="m")
    await sim.settle()
    assert len(queued) == 1


# -- FIFO ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_fifo_publish_needs_group_and_deduplication(sim: Simulator) -> None:
    arn = await _topic(sim, "orders.fifo", FifoTopic="true")
    error = await _error(sim.sns.publish(topic_arn=arn, message="m"))
    assert error.message == ("Invalid parameter: The MessageGroupId parameter is required for "
                             "FIFO topics")
    error = await _error(sim.sns.publish(topic_arn=arn, message="m", message_group_id="g"))
    assert error.message == ("Invalid parameter: The topic should either have "
                             "ContentBasedDeduplication enabled or MessageDeduplicationId "
                             "provided explicitly")


@pytest.mark.asyncio
async def test_fifo_duplicate_within_five_minutes_is_not_delivered_again(
        sim: Simulator, queued: list[OutboxRow]) -> None:
    arn = await _topic(sim, "orders.fifo", FifoTopic="true")
    await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE + ".fifo")
    first = await sim.sns.publish(topic_arn=arn, message="m", message_group_id="g",
                                  message_deduplication_id="d1")
    again = await sim.sns.publish(topic_arn=arn, message="m", message_group_id="g",
                                  message_deduplication_id="d1")
    assert again == first
    assert first["SequenceNumber"] == "10000000000000000001"
    assert isinstance(sim.clock, type(sim.clock))
    sim.clock.advance(301)  # type: ignore[attr-defined]
    later = await sim.sns.publish(topic_arn=arn, message="m", message_group_id="g",
                                  message_deduplication_id="d1")
    assert later["MessageId"] != first["MessageId"]
    assert later["SequenceNumber"] == "10000000000000000002"
    await sim.settle()
    payloads = [json.loads(r.payload) for r in queued]
    assert len(payloads) == 2
    assert payloads[0]["MessageGroupId"] == "g"
    assert payloads[0]["MessageDeduplicationId"] == "d1"
    assert json.loads(payloads[0]["MessageBody"])["SequenceNumber"] == first["SequenceNumber"]


@pytest.mark.asyncio
async def test_fifo_content_based_deduplication_hashes_the_body(
        sim: Simulator, queued: list[OutboxRow]) -> None:
    arn = await _topic(sim, "orders.fifo", FifoTopic="true", ContentBasedDeduplication="true")
    await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE + ".fifo")
    await sim.sns.publish(topic_arn=arn, message="same", message_group_id="g")
    await sim.sns.publish(topic_arn=arn, message="same", message_group_id="g")
    await sim.sns.publish(topic_arn=arn, message="other", message_group_id="g")
    await sim.settle()
    assert len(queued) == 2


@pytest.mark.asyncio
async def test_fifo_topic_refuses_standard_only_protocols(sim: Simulator) -> None:
    arn = await _topic(sim, "orders.fifo", FifoTopic="true")
    error = await _error(sim.sns.subscribe(topic_arn=arn, protocol="lambda",
                                           endpoint=await _echo(sim)))
    assert error.code == "InvalidParameter"


# -- PublishBatch ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_publish_batch_reports_each_entry(sim: Simulator, queued: list[OutboxRow]) -> None:
    arn = await _topic(sim)
    await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE)
    result = await sim.sns.publish_batch(topic_arn=arn, publish_batch_request_entries=[
        {"Id": "ok", "Message": "a"},
        {"Id": "bad", "Message": ""},
        {"Id": "ok2", "Message": "b", "Subject": "s"},
    ])
    assert [s["Id"] for s in result["Successful"]] == ["ok", "ok2"]
    assert result["Failed"] == [{"Id": "bad", "Code": "InvalidParameter",
                                 "Message": "Invalid parameter: Empty message",
                                 "SenderFault": True}]
    await sim.settle()
    assert len(queued) == 2


@pytest.mark.parametrize(("entries", "code"), [
    pytest.param([], "EmptyBatchRequest", id="empty"),
    pytest.param([{"Id": str(i), "Message": "m"} for i in range(11)],
                 "TooManyEntriesInBatchRequest", id="eleven"),
    pytest.param([{"Id": "a", "Message": "m"}, {"Id": "a", "Message": "n"}],
                 "BatchEntryIdsNotDistinct", id="same-id"),
    pytest.param([{"Id": "a b", "Message": "m"}], "InvalidBatchEntryId", id="bad-id"),
    pytest.param([{"Id": "a", "Message": "x" * 200_000}, {"Id": "b", "Message": "x" * 70_000}],
                 "BatchRequestTooLong", id="too-long"),
])
@pytest.mark.asyncio
async def test_publish_batch_rejects_bad_batches(sim: Simulator, entries: list[dict[str, str]],
                                                 code: str) -> None:
    arn = await _topic(sim)
    error = await _error(sim.sns.publish_batch(topic_arn=arn,
                                               publish_batch_request_entries=entries))
    assert error.code == code


# -- topics as targets -----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_s3_notification_to_topic_reaches_lambda_subscriber(sim: Simulator) -> None:
    arn = await _topic(sim)
    await sim.sns.subscribe(topic_arn=arn, protocol="lambda", endpoint=await _echo(sim))
    await sim.s3.create_bucket(bucket="uploads")
    await sim.s3.put_bucket_notification_configuration(
        bucket="uploads", notification_configuration={"TopicConfigurations": [
            {"Id": "t", "TopicArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    await sim.s3.put_object(bucket="uploads", key="cat.jpg", body=b"meow")
    await sim.settle()
    records = await sim.invocations.list(function="echo")
    messages = [json.loads(r.event["Records"][0]["Sns"]["Message"]) for r in records]
    assert messages[0]["Event"] == "s3:TestEvent"  # S3 tests the destination first
    assert messages[1]["Records"][0]["s3"]["object"]["key"] == "cat.jpg"
    assert {r.event["Records"][0]["Sns"]["Subject"] for r in records} == {
        "Amazon S3 Notification"}


@pytest.mark.asyncio
async def test_s3_refuses_a_topic_that_does_not_exist(sim: Simulator) -> None:
    await sim.s3.create_bucket(bucket="uploads")
    error = await _error(sim.s3.put_bucket_notification_configuration(
        bucket="uploads", notification_configuration={"TopicConfigurations": [
            {"TopicArn": "arn:aws:sns:us-east-1:000000000000:nope",
             "Events": ["s3:ObjectCreated:*"]}]}))
    assert error.code == "InvalidArgument"


# -- persistence -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_topics_and_subscriptions_survive_a_restart(tmp_path: Path) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    async with Simulator(config) as sim:
        arn = await _topic(sim, DisplayName="Orders")
        fifo = await _topic(sim, "orders.fifo", FifoTopic="true")
        await sim.sns.tag_resource(resource_arn=arn, tags=[{"Key": "team", "Value": "a"}])
        sub = (await sim.sns.subscribe(
            topic_arn=arn, protocol="sqs", endpoint=QUEUE,
            attributes={"RawMessageDelivery": "true", "FilterPolicy": '{"a": ["b"]}'},
        ))["SubscriptionArn"]
        pending = (await sim.sns.subscribe(topic_arn=arn, protocol="http",
                                           endpoint="http://127.0.0.1:9/",
                                           return_subscription_arn=True))["SubscriptionArn"]
        first = await sim.sns.publish(topic_arn=fifo, message="m", message_group_id="g",
                                      message_deduplication_id="d")
    async with Simulator(config) as sim:
        assert sim.sns.exists(arn)
        assert {t["TopicArn"] for t in (await sim.sns.list_topics())["Topics"]} == {arn, fifo}
        attributes = (await sim.sns.get_topic_attributes(topic_arn=arn))["Attributes"]
        assert attributes["DisplayName"] == "Orders"
        assert (await sim.sns.list_tags_for_resource(resource_arn=arn))["Tags"] == [
            {"Key": "team", "Value": "a"}]
        sub_attributes = (await sim.sns.get_subscription_attributes(
            subscription_arn=sub))["Attributes"]
        assert sub_attributes["RawMessageDelivery"] == "true"
        assert sub_attributes["FilterPolicy"] == '{"a": ["b"]}'
        listed = {s["SubscriptionArn"] for s in
                  (await sim.sns.list_subscriptions())["Subscriptions"]}
        assert listed == {sub, "PendingConfirmation"}
        assert (await sim.sns.get_subscription_attributes(
            subscription_arn=pending))["Attributes"]["PendingConfirmation"] == "true"
        # FIFO numbering and deduplication carry on from where they were.
        again = await sim.sns.publish(topic_arn=fifo, message="m", message_group_id="g",
                                      message_deduplication_id="d")
        assert again == first
        after = await sim.sns.publish(topic_arn=fifo, message="n", message_group_id="g",
                                      message_deduplication_id="e")
        assert after["SequenceNumber"] == "10000000000000000002"
        await sim.settle()


@pytest.mark.asyncio
async def test_filter_policy_scope_is_shown_only_with_a_policy(sim: Simulator) -> None:
    arn = await _topic(sim)
    sub = (await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE, attributes={
        "FilterPolicyScope": "MessageBody"}))["SubscriptionArn"]
    attributes = (await sim.sns.get_subscription_attributes(subscription_arn=sub))["Attributes"]
    assert "FilterPolicyScope" not in attributes
    await sim.sns.set_subscription_attributes(subscription_arn=sub,
                                              attribute_name="FilterPolicy",
                                              attribute_value='{"a": {"b": ["c"]}}')
    attributes = (await sim.sns.get_subscription_attributes(subscription_arn=sub))["Attributes"]
    assert attributes["FilterPolicyScope"] == "MessageBody"


@pytest.mark.asyncio
async def test_switching_scope_revalidates_the_policy(sim: Simulator) -> None:
    arn = await _topic(sim)
    sub = (await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE, attributes={
        "FilterPolicyScope": "MessageBody",
        "FilterPolicy": '{"a": {"b": ["c"]}}'}))["SubscriptionArn"]
    error = await _error(sim.sns.set_subscription_attributes(
        subscription_arn=sub, attribute_name="FilterPolicyScope",
        attribute_value="MessageAttributes"))
    assert error.message == ("Invalid parameter: FilterPolicy: Filter policy scope "
                             "MessageAttributes does not support nested filter policy")


@pytest.mark.asyncio
async def test_message_for_a_missing_function_goes_to_the_dead_letter_queue(
        sim: Simulator, queued: list[OutboxRow]) -> None:
    arn = await _topic(sim)
    dlq = "arn:aws:sqs:us-east-1:000000000000:dead"
    await sim.sns.subscribe(
        topic_arn=arn, protocol="lambda",
        endpoint="arn:aws:lambda:us-east-1:000000000000:function:gone",
        attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq})})
    await sim.sns.publish(topic_arn=arn, message="lost")
    await sim.settle()
    [row] = queued
    assert row.target == dlq
    assert json.loads(json.loads(row.payload)["MessageBody"])["Message"] == "lost"


@pytest.mark.asyncio
async def test_a_topic_takes_at_most_200_filter_policies(sim: Simulator) -> None:
    arn = await _topic(sim)
    for i in range(200):
        await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=f"{QUEUE}-{i}",
                                attributes={"FilterPolicy": '{"a": ["b"]}'})
    error = await _error(sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE,
                                           attributes={"FilterPolicy": '{"a": ["b"]}'}))
    assert (error.code, error.status_code) == ("FilterPolicyLimitExceeded", 403)
    sub = (await sim.sns.subscribe(topic_arn=arn, protocol="sqs",
                                   endpoint=QUEUE))["SubscriptionArn"]
    error = await _error(sim.sns.set_subscription_attributes(
        subscription_arn=sub, attribute_name="FilterPolicy", attribute_value='{"a": ["b"]}'))
    assert error.code == "FilterPolicyLimitExceeded"


@pytest.mark.asyncio
async def test_on_failure_destination_topic_publishes_the_destination_record(
        sim: Simulator, queued: list[OutboxRow]) -> None:
    arn = await _topic(sim)
    await sim.sns.subscribe(topic_arn=arn, protocol="sqs", endpoint=QUEUE,
                            attributes={"RawMessageDelivery": "true"})
    fn = await sim.functions.create_function(name="fails", handler="behaviours.fail",
                                             code_dir=HANDLERS, maximum_retry_attempts=0,
                                             on_failure=arn)
    await sim.functions.invoke(fn.name, {"order": 1}, invocation_type="Event")
    await sim.settle()
    [row] = queued
    record = json.loads(json.loads(row.payload)["MessageBody"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestPayload"] == {"order": 1}
