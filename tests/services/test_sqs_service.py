"""The SQS service through the Python API, on a virtual clock."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from eventsim import AwsError, Simulator, SimulatorConfig
from eventsim.clock import VirtualClock


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator


def clock(sim: Simulator) -> VirtualClock:
    assert isinstance(sim.clock, VirtualClock)
    return sim.clock


async def error(coro: Any) -> AwsError:
    with pytest.raises(AwsError) as exc:
        await coro
    return exc.value


async def make(sim: Simulator, name: str = "q", **attributes: Any) -> str:
    attrs = {k: str(v) for k, v in attributes.items()}
    return str((await sim.sqs.create_queue(queue_name=name, attributes=attrs))["QueueUrl"])


async def receive(sim: Simulator, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    return list((await sim.sqs.receive_message(queue_url=url, **kwargs)).get("Messages", []))


async def counts(sim: Simulator, url: str) -> tuple[int, int, int]:
    attrs = (await sim.sqs.get_queue_attributes(queue_url=url, attribute_names=["All"]))[
        "Attributes"]
    return (int(attrs["ApproximateNumberOfMessages"]),
            int(attrs["ApproximateNumberOfMessagesNotVisible"]),
            int(attrs["ApproximateNumberOfMessagesDelayed"]))


# -- queues ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_queue_url_is_built_from_account_and_name(sim: Simulator) -> None:
    url = await make(sim, "orders")
    assert url == "http://sqs.us-east-1.localhost:4566/000000000000/orders"
    assert (await sim.sqs.get_queue_url(queue_name="orders"))["QueueUrl"] == url


@pytest.mark.asyncio
async def test_any_url_ending_in_account_and_name_names_the_queue(sim: Simulator) -> None:
    await make(sim, "orders")
    await sim.sqs.send_message(queue_url="https://elsewhere:9/000000000000/orders",
                               message_body="x")
    assert await counts(sim, "http://localhost:4566/000000000000/orders") == (1, 0, 0)
    missing = await error(sim.sqs.send_message(
        queue_url="http://localhost:4566/111111111111/orders", message_body="x"))
    assert missing.code == "QueueDoesNotExist"


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["", "has space", "x" * 81, "dot.ted", "q.fifo"])
async def test_invalid_standard_queue_names_are_rejected(sim: Simulator, name: str) -> None:
    assert (await error(sim.sqs.create_queue(queue_name=name))).code == "InvalidParameterValue"


@pytest.mark.asyncio
async def test_fifo_queue_needs_the_fifo_suffix(sim: Simulator) -> None:
    bad = await error(sim.sqs.create_queue(queue_name="nosuffix",
                                           attributes={"FifoQueue": "true"}))
    assert bad.code == "InvalidParameterValue"
    assert await make(sim, "x" * 75 + ".fifo", FifoQueue="true")
    too_long = await error(sim.sqs.create_queue(queue_name="x" * 76 + ".fifo",
                                                attributes={"FifoQueue": "true"}))
    assert too_long.code == "InvalidParameterValue"


@pytest.mark.asyncio
async def test_create_is_idempotent_with_same_attributes_and_fails_when_they_differ(
    sim: Simulator,
) -> None:
    url = await make(sim, "q", VisibilityTimeout=10)
    assert await make(sim, "q", VisibilityTimeout=10) == url
    assert await make(sim, "q") == url
    exists = await error(sim.sqs.create_queue(queue_name="q",
                                              attributes={"VisibilityTimeout": "11"}))
    assert exists.code == "QueueNameExists"
    assert exists.query_code == "QueueAlreadyExists"  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_attribute_values_are_validated(sim: Simulator) -> None:
    for name, value in [("VisibilityTimeout", "43201"), ("DelaySeconds", "-1"),
                        ("MessageRetentionPeriod", "59"), ("MaximumMessageSize", "1023"),
                        ("ReceiveMessageWaitTimeSeconds", "21")]:
        bad = await error(sim.sqs.create_queue(queue_name="q", attributes={name: value}))
        assert (bad.code, bad.message) == ("InvalidAttributeValue",
                                           f"Invalid value for the parameter {name}.")
    unknown = await error(sim.sqs.create_queue(queue_name="q", attributes={"Colour": "red"}))
    assert (unknown.code, unknown.message) == ("InvalidAttributeName", "Unknown Attribute Colour.")
    fifo_only = await error(sim.sqs.create_queue(
        queue_name="q", attributes={"ContentBasedDeduplication": "true"}))
    assert fifo_only.code == "InvalidAttributeName"


@pytest.mark.asyncio
async def test_get_queue_attributes_all_and_named(sim: Simulator) -> None:
    url = await make(sim, "q")
    attrs = (await sim.sqs.get_queue_attributes(queue_url=url, attribute_names=["All"]))[
        "Attributes"]
    assert attrs["QueueArn"] == "arn:aws:sqs:us-east-1:000000000000:q"
    assert attrs["VisibilityTimeout"] == "30"
    assert attrs["MessageRetentionPeriod"] == "345600"
    assert attrs["MaximumMessageSize"] == "1048576"
    assert attrs["CreatedTimestamp"] == str(int(sim.clock.time()))
    assert "FifoQueue" not in attrs
    named = await sim.sqs.get_queue_attributes(queue_url=url, attribute_names=["DelaySeconds"])
    assert named == {"Attributes": {"DelaySeconds": "0"}}
    assert await sim.sqs.get_queue_attributes(queue_url=url) == {}
    bad = await error(sim.sqs.get_queue_attributes(queue_url=url, attribute_names=["Nope"]))
    assert bad.code == "InvalidAttributeName"


@pytest.mark.asyncio
async def test_set_queue_attributes_changes_behaviour(sim: Simulator) -> None:
    url = await make(sim, "q")
    await sim.sqs.set_queue_attributes(queue_url=url, attributes={"VisibilityTimeout": "5"})
    await sim.sqs.send_message(queue_url=url, message_body="m")
    assert await receive(sim, url)
    clock(sim).advance(5)
    assert await receive(sim, url)
    assert (await error(sim.sqs.set_queue_attributes(
        queue_url=url, attributes={"FifoQueue": "true"}))).code == "InvalidAttributeName"


@pytest.mark.asyncio
async def test_list_queues_by_prefix_and_pages(sim: Simulator) -> None:
    for name in ["a1", "a2", "a3", "b1"]:
        await make(sim, name)
    listed = await sim.sqs.list_queues(queue_name_prefix="a")
    assert [u.rsplit("/", 1)[1] for u in listed["QueueUrls"]] == ["a1", "a2", "a3"]
    assert "NextToken" not in listed
    first = await sim.sqs.list_queues(max_results=3)
    assert len(first["QueueUrls"]) == 3
    second = await sim.sqs.list_queues(max_results=3, next_token=first["NextToken"])
    assert [u.rsplit("/", 1)[1] for u in second["QueueUrls"]] == ["b1"]
    assert "NextToken" not in second
    assert await sim.sqs.list_queues(queue_name_prefix="zzz") == {}


@pytest.mark.asyncio
async def test_delete_queue_removes_it_and_its_messages(sim: Simulator) -> None:
    url = await make(sim, "q")
    await sim.sqs.send_message(queue_url=url, message_body="m")
    await sim.sqs.delete_queue(queue_url=url)
    assert (await error(sim.sqs.get_queue_url(queue_name="q"))).code == "QueueDoesNotExist"
    assert (await error(sim.sqs.create_queue(queue_name="q"))).code == "QueueDeletedRecently"
    clock(sim).advance(60)
    url = await make(sim, "q")
    assert await counts(sim, url) == (0, 0, 0)


@pytest.mark.asyncio
async def test_tags(sim: Simulator) -> None:
    url = str((await sim.sqs.create_queue(queue_name="q", tags={"team": "a"}))["QueueUrl"])
    await sim.sqs.tag_queue(queue_url=url, tags={"env": "dev"})
    assert (await sim.sqs.list_queue_tags(queue_url=url))["Tags"] == {"team": "a", "env": "dev"}
    await sim.sqs.untag_queue(queue_url=url, tag_keys=["team", "env"])
    assert await sim.sqs.list_queue_tags(queue_url=url) == {}


@pytest.mark.asyncio
async def test_purge_deletes_every_message_once_a_minute(sim: Simulator) -> None:
    url = await make(sim, "q")
    await sim.sqs.send_message(queue_url=url, message_body="m")
    await sim.sqs.purge_queue(queue_url=url)
    assert await counts(sim, url) == (0, 0, 0)
    again = await error(sim.sqs.purge_queue(queue_url=url))
    assert (again.code, again.status_code) == ("PurgeQueueInProgress", 403)
    clock(sim).advance(60)
    await sim.sqs.purge_queue(queue_url=url)


# -- sending ---------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_send_answers_md5s_as_aws_computes_them(sim: Simulator) -> None:
    url = await make(sim, "q")
    sent = await sim.sqs.send_message(
        queue_url=url, message_body="hello",
        message_attributes={"a": {"DataType": "String", "StringValue": "x"},
                            "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
                            "n": {"DataType": "Number.int", "StringValue": "5"}},
    )
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    # The digest of these three attributes, from SQS's documented algorithm (and moto's).
    assert sent["MD5OfMessageAttributes"] == "a3432800a91149982c1ada4320198f29"
    plain = await sim.sqs.send_message(queue_url=url, message_body="x")
    assert "MD5OfMessageAttributes" not in plain


@pytest.mark.asyncio
async def test_message_size_limit_counts_body_and_attributes(sim: Simulator) -> None:
    url = await make(sim, "q")
    await sim.sqs.send_message(queue_url=url, message_body="x" * 1_048_576)
    too_big = await error(sim.sqs.send_message(queue_url=url, message_body="x" * 1_048_577))
    assert too_big.code == "InvalidParameterValue"
    assert too_big.message == ("One or more parameters are invalid. Reason: Message must be "
                               "shorter than 1048576 bytes.")
    small = await make(sim, "small", MaximumMessageSize=1024)
    assert (await error(sim.sqs.send_message(queue_url=small, message_body="x" * 1025))).code \
        == "InvalidParameterValue"
    with_attrs = await error(sim.sqs.send_message(
        queue_url=url, message_body="x" * 1_048_570,
        message_attributes={"a": {"DataType": "String", "StringValue": "y"}}))
    assert with_attrs.code == "InvalidParameterValue"


@pytest.mark.asyncio
async def test_bad_bodies_and_attributes_are_rejected(sim: Simulator) -> None:
    url = await make(sim, "q")
    assert (await error(sim.sqs.send_message(queue_url=url, message_body=""))).code \
        == "MissingParameter"
    assert (await error(sim.sqs.send_message(queue_url=url, message_body="\x00"))).code \
        == "InvalidMessageContents"
    for attrs in [{"a": {"DataType": "Float", "StringValue": "1"}},
                  {"a": {"DataType": "Number", "StringValue": "one"}},
                  {"a": {"DataType": "String", "StringValue": ""}},
                  {"AWS.x": {"DataType": "String", "StringValue": "1"}},
                  {f"a{i}": {"DataType": "String", "StringValue": "1"} for i in range(11)}]:
        bad = await error(sim.sqs.send_message(queue_url=url, message_body="m",
                                               message_attributes=attrs))
        assert bad.code == "InvalidParameterValue", attrs


@pytest.mark.asyncio
async def test_delay_seconds_hides_a_message_until_due(sim: Simulator) -> None:
    url = await make(sim, "q")
    await sim.sqs.send_message(queue_url=url, message_body="later", delay_seconds=10)
    assert await counts(sim, url) == (0, 0, 1)
    assert await receive(sim, url) == []
    clock(sim).advance(10)
    assert [m["Body"] for m in await receive(sim, url)] == ["later"]


@pytest.mark.asyncio
async def test_queue_delay_applies_when_the_message_gives_none(sim: Simulator) -> None:
    url = await make(sim, "q", DelaySeconds=5)
    await sim.sqs.send_message(queue_url=url, message_body="m")
    await sim.sqs.send_message(queue_url=url, message_body="now", delay_seconds=0)
    assert [m["Body"] for m in await receive(sim, url, max_number_of_messages=10)] == ["now"]


@pytest.mark.asyncio
async def test_send_batch_reports_each_entry(sim: Simulator) -> None:
    url = await make(sim, "q")
    result = await sim.sqs.send_message_batch(queue_url=url, entries=[
        {"Id": "ok", "MessageBody": "a"},
        {"Id": "bad", "MessageBody": "b", "DelaySeconds": 901},
    ])
    assert [e["Id"] for e in result["Successful"]] == ["ok"]
    assert result["Successful"][0]["MD5OfMessageBody"] == hashlib.md5(b"a").hexdigest()
    assert result["Failed"] == [{
        "Id": "bad", "SenderFault": True, "Code": "InvalidParameterValue",
        "Message": "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must "
                   "be >= 0 and <= 900.",
    }]
    assert await counts(sim, url) == (1, 0, 0)


@pytest.mark.asyncio
async def test_batch_limits_refuse_the_whole_request(sim: Simulator) -> None:
    url = await make(sim, "q")
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([], "EmptyBatchRequest"),
        ([{"Id": str(i), "MessageBody": "m"} for i in range(11)], "TooManyEntriesInBatchRequest"),
        ([{"Id": "a", "MessageBody": "m"}, {"Id": "a", "MessageBody": "n"}],
         "BatchEntryIdsNotDistinct"),
        ([{"Id": "has space", "MessageBody": "m"}], "InvalidBatchEntryId"),
        ([{"Id": "1", "MessageBody": "x" * 800_000}, {"Id": "2", "MessageBody": "x" * 300_000}],
         "BatchRequestTooLong"),
    ]
    for entries, code in cases:
        assert (await error(sim.sqs.send_message_batch(queue_url=url, entries=entries))).code \
            == code
    assert await counts(sim, url) == (0, 0, 0)
    assert (await error(sim.sqs.delete_message_batch(queue_url=url, entries=[]))).code \
        == "EmptyBatchRequest"


# -- receiving -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_receive_validates_its_parameters(sim: Simulator) -> None:
    url = await make(sim, "q")
    for kwargs in [{"max_number_of_messages": 0}, {"max_number_of_messages": 11},
                   {"wait_time_seconds": 21}, {"visibility_timeout": 43_201}]:
        assert (await error(sim.sqs.receive_message(queue_url=url, **kwargs))).code \
            == "InvalidParameterValue"


@pytest.mark.asyncio
async def test_receive_takes_up_to_max_and_hides_them_for_the_visibility_timeout(
    sim: Simulator,
) -> None:
    url = await make(sim, "q")
    for i in range(12):
        await sim.sqs.send_message(queue_url=url, message_body=str(i))
    assert len(await receive(sim, url)) == 1
    assert len(await receive(sim, url, max_number_of_messages=10)) == 10
    assert await counts(sim, url) == (1, 11, 0)
    clock(sim).advance(29)
    assert len(await receive(sim, url, max_number_of_messages=10)) == 1
    clock(sim).advance(1)
    assert len(await receive(sim, url, max_number_of_messages=10)) == 10


@pytest.mark.asyncio
async def test_system_attributes_count_receives(sim: Simulator) -> None:
    url = await make(sim, "q")
    sent_at = sim.clock.time_ms()
    await sim.sqs.send_message(queue_url=url, message_body="m")
    clock(sim).advance(2)
    first = (await receive(sim, url, visibility_timeout=0,
                           message_system_attribute_names=["All"]))[0]["Attributes"]
    clock(sim).advance(3)
    second = (await receive(sim, url, attribute_names=["ApproximateReceiveCount",
                                                       "ApproximateFirstReceiveTimestamp"]))[0]
    assert first["SentTimestamp"] == str(sent_at)
    assert first["ApproximateReceiveCount"] == "1"
    assert first["ApproximateFirstReceiveTimestamp"] == str(sent_at + 2000)
    assert first["SenderId"]
    assert second["Attributes"] == {"ApproximateReceiveCount": "2",
                                    "ApproximateFirstReceiveTimestamp": str(sent_at + 2000)}
    clock(sim).advance(30)
    assert "Attributes" not in (await receive(sim, url))[0]


@pytest.mark.asyncio
async def test_message_attribute_names_filter_by_name_prefix_and_all(sim: Simulator) -> None:
    url = await make(sim, "q")
    attrs = {name: {"DataType": "String", "StringValue": name}
             for name in ["order.id", "order.total", "customer"]}
    await sim.sqs.send_message(queue_url=url, message_body="m", message_attributes=attrs)

    async def names(wanted: list[str] | None) -> set[str]:
        got = (await receive(sim, url, visibility_timeout=0,
                             message_attribute_names=wanted))[0]
        if "MessageAttributes" in got:
            from eventsim.services.sqs.messages import attributes_md5
            assert got["MD5OfMessageAttributes"] == attributes_md5(got["MessageAttributes"])
        return set(got.get("MessageAttributes", {}))

    assert await names(None) == set()
    assert await names(["All"]) == {"order.id", "order.total", "customer"}
    assert await names([".*"]) == {"order.id", "order.total", "customer"}
    assert await names(["order.*"]) == {"order.id", "order.total"}
    assert await names(["customer", "missing"]) == {"customer"}


@pytest.mark.asyncio
async def test_long_poll_wakes_when_a_message_arrives(sim: Simulator) -> None:
    url = await make(sim, "q")
    poll = asyncio.create_task(sim.sqs.receive_message(queue_url=url, wait_time_seconds=20))
    await asyncio.sleep(0)  # sleep-ok: one turn of the loop, no waiting
    await asyncio.sleep(0)  # sleep-ok: one turn of the loop, no waiting
    assert not poll.done()
    await sim.sqs.send_message(queue_url=url, message_body="hello")
    result = await asyncio.wait_for(poll, 5)
    assert [m["Body"] for m in result["Messages"]] == ["hello"]


@pytest.mark.asyncio
async def test_long_poll_times_out_on_the_clock_and_does_not_block_settle(
    sim: Simulator,
) -> None:
    url = await make(sim, "q")
    poll = asyncio.create_task(sim.sqs.receive_message(queue_url=url, wait_time_seconds=20))
    await sim.settle()  # a waiting poll is not work in flight
    assert not poll.done()
    clock(sim).advance(19)
    await asyncio.sleep(0)  # sleep-ok: one turn of the loop, no waiting
    assert not poll.done()
    clock(sim).advance(1)
    assert await asyncio.wait_for(poll, 5) == {}


@pytest.mark.asyncio
async def test_long_poll_wakes_when_an_in_flight_message_becomes_visible(
    sim: Simulator,
) -> None:
    url = await make(sim, "q", VisibilityTimeout=5)
    await sim.sqs.send_message(queue_url=url, message_body="m")
    assert await receive(sim, url)
    poll = asyncio.create_task(sim.sqs.receive_message(queue_url=url, wait_time_seconds=20))
    await asyncio.sleep(0)  # sleep-ok: one turn of the loop, no waiting
    clock(sim).advance(5)
    result = await asyncio.wait_for(poll, 5)
    assert result["Messages"][0]["Body"] == "m"


@pytest.mark.asyncio
async def test_queue_wait_time_is_the_default_long_poll(sim: Simulator) -> None:
    url = await make(sim, "q", ReceiveMessageWaitTimeSeconds=10)
    poll = asyncio.create_task(sim.sqs.receive_message(queue_url=url))
    await asyncio.sleep(0)  # sleep-ok: one turn of the loop, no waiting
    await sim.sqs.send_message(queue_url=url, message_body="m")
    assert (await asyncio.wait_for(poll, 5))["Messages"]


# -- deleting and visibility -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_each_receive_gives_a_new_handle_and_an_old_one_still_deletes(
    sim: Simulator,
) -> None:
    url = await make(sim, "q")
    await sim.sqs.send_message(queue_url=url, message_body="m")
    first = (await receive(sim, url, visibility_timeout=0))[0]["ReceiptHandle"]
    second = (await receive(sim, url, visibility_timeout=0))[0]["ReceiptHandle"]
    assert first != second
    await sim.sqs.delete_message(queue_url=url, receipt_handle=first)
    assert await counts(sim, url) == (0, 0, 0)
    await sim.sqs.delete_message(queue_url=url, receipt_handle=second)  # gone: still success


@pytest.mark.asyncio
async def test_invalid_receipt_handles_are_rejected(sim: Simulator) -> None:
    url = await make(sim, "q")
    other = await make(sim, "other")
    await sim.sqs.send_message(queue_url=other, message_body="m")
    handle = (await receive(sim, other))[0]["ReceiptHandle"]
    for bad in ["garbage!", handle]:
        err = await error(sim.sqs.delete_message(queue_url=url, receipt_handle=bad))
        assert err.code == "ReceiptHandleIsInvalid"
        assert err.message == f'The input receipt handle "{bad}" is not a valid receipt handle.'


@pytest.mark.asyncio
async def test_delete_batch_reports_each_entry(sim: Simulator) -> None:
    url = await make(sim, "q")
    await sim.sqs.send_message(queue_url=url, message_body="m")
    handle = (await receive(sim, url))[0]["ReceiptHandle"]
    result = await sim.sqs.delete_message_batch(queue_url=url, entries=[
        {"Id": "a", "ReceiptHandle": handle}, {"Id": "b", "ReceiptHandle": "nope"}])
    assert result["Successful"] == [{"Id": "a"}]
    assert [(f["Id"], f["Code"], f["SenderFault"]) for f in result["Failed"]] \
        == [("b", "ReceiptHandleIsInvalid", True)]


@pytest.mark.asyncio
async def test_change_visibility_extends_or_ends_the_timeout(sim: Simulator) -> None:
    url = await make(sim, "q")
    await sim.sqs.send_message(queue_url=url, message_body="m")
    handle = (await receive(sim, url))[0]["ReceiptHandle"]
    await sim.sqs.change_message_visibility(queue_url=url, receipt_handle=handle,
                                            visibility_timeout=100)
    clock(sim).advance(99)
    assert await receive(sim, url) == []
    await sim.sqs.change_message_visibility(queue_url=url, receipt_handle=handle,
                                            visibility_timeout=0)
    again = await receive(sim, url)
    assert again and again[0]["Body"] == "m"
    result = await sim.sqs.change_message_visibility_batch(queue_url=url, entries=[
        {"Id": "a", "ReceiptHandle": again[0]["ReceiptHandle"], "VisibilityTimeout": 0},
        {"Id": "b", "ReceiptHandle": "bad", "VisibilityTimeout": 0}])
    assert result["Successful"] == [{"Id": "a"}]
    assert result["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"


@pytest.mark.asyncio
async def test_change_visibility_of_a_deleted_message_is_invalid(sim: Simulator) -> None:
    url = await make(sim, "q")
    await sim.sqs.send_message(queue_url=url, message_body="m")
    handle = (await receive(sim, url))[0]["ReceiptHandle"]
    await sim.sqs.delete_message(queue_url=url, receipt_handle=handle)
    err = await error(sim.sqs.change_message_visibility(queue_url=url, receipt_handle=handle,
                                                        visibility_timeout=10))
    assert err.code == "InvalidParameterValue"
    assert "Message does not exist or is not available for visibility timeout change" \
        in err.message


# -- retention and redrive -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_messages_expire_after_the_retention_period(sim: Simulator) -> None:
    url = await make(sim, "q", MessageRetentionPeriod=60)
    await sim.sqs.send_message(queue_url=url, message_body="m")
    clock(sim).advance(59)
    assert await counts(sim, url) == (1, 0, 0)
    clock(sim).advance(1)
    assert await counts(sim, url) == (0, 0, 0)
    assert await receive(sim, url) == []


@pytest.mark.asyncio
async def test_redrive_moves_a_message_after_max_receive_count(sim: Simulator) -> None:
    dlq = await make(sim, "dlq")
    dlq_arn = "arn:aws:sqs:us-east-1:000000000000:dlq"
    url = await make(sim, "q", VisibilityTimeout=0, RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    sent = await sim.sqs.send_message(queue_url=url, message_body="poison")
    assert len(await receive(sim, url)) == 1
    assert len(await receive(sim, url)) == 1
    assert await receive(sim, url) == []  # the third receive moves it instead
    moved = await receive(sim, dlq, message_system_attribute_names=["All"])
    assert moved[0]["MessageId"] == sent["MessageId"]
    assert moved[0]["Body"] == "poison"
    assert moved[0]["Attributes"]["DeadLetterQueueSourceArn"] == \
        "arn:aws:sqs:us-east-1:000000000000:q"
    # The count goes on from the source queue's receives (the moving receive is not one).
    assert moved[0]["Attributes"]["ApproximateReceiveCount"] == "3"
    sources = await sim.sqs.list_dead_letter_source_queues(queue_url=dlq)
    assert sources["queueUrls"] == [url]


@pytest.mark.asyncio
async def test_redrive_policy_is_validated(sim: Simulator) -> None:
    nowhere = json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nope",
                          "maxReceiveCount": 1})
    missing = await error(sim.sqs.create_queue(queue_name="q",
                                               attributes={"RedrivePolicy": nowhere}))
    assert missing.code == "InvalidParameterValue"
    assert "Dead letter target does not exist" in missing.message
    await make(sim, "dlq")
    bad_count = await error(sim.sqs.create_queue(queue_name="q", attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn":
                                     "arn:aws:sqs:us-east-1:000000000000:dlq",
                                     "maxReceiveCount": 0})}))
    assert bad_count.code == "InvalidParameterValue"
    url = await make(sim, "q", RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq",
         "maxReceiveCount": "3"}))
    policy = (await sim.sqs.get_queue_attributes(queue_url=url, attribute_names=[
        "RedrivePolicy"]))["Attributes"]["RedrivePolicy"]
    assert json.loads(policy) == {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq",
                                  "maxReceiveCount": 3}
    await sim.sqs.set_queue_attributes(queue_url=url, attributes={"RedrivePolicy": ""})
    assert await sim.sqs.get_queue_attributes(queue_url=url,
                                              attribute_names=["RedrivePolicy"]) == {}


# -- FIFO ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_fifo_needs_a_group_and_a_deduplication_id(sim: Simulator) -> None:
    url = await make(sim, "f.fifo", FifoQueue="true")
    no_group = await error(sim.sqs.send_message(queue_url=url, message_body="m"))
    assert (no_group.code, no_group.message) == (
        "MissingParameter", "The request must contain the parameter MessageGroupId.")
    no_dedup = await error(sim.sqs.send_message(queue_url=url, message_body="m",
                                                message_group_id="g"))
    assert no_dedup.code == "InvalidParameterValue"
    delay = await error(sim.sqs.send_message(queue_url=url, message_body="m",
                                             message_group_id="g",
                                             message_deduplication_id="d", delay_seconds=5))
    assert delay.code == "InvalidParameterValue"
    standard = await make(sim, "s")
    dedup_on_standard = await error(sim.sqs.send_message(
        queue_url=standard, message_body="m", message_deduplication_id="d"))
    assert dedup_on_standard.code == "InvalidParameterValue"


@pytest.mark.asyncio
async def test_fifo_deduplicates_within_five_minutes(sim: Simulator) -> None:
    url = await make(sim, "f.fifo", FifoQueue="true")
    first = await sim.sqs.send_message(queue_url=url, message_body="a", message_group_id="g",
                                       message_deduplication_id="d")
    again = await sim.sqs.send_message(queue_url=url, message_body="b", message_group_id="g",
                                       message_deduplication_id="d")
    assert again["MessageId"] == first["MessageId"]
    assert await counts(sim, url) == (1, 0, 0)
    clock(sim).advance(300)
    later = await sim.sqs.send_message(queue_url=url, message_body="c", message_group_id="g",
                                       message_deduplication_id="d")
    assert later["MessageId"] != first["MessageId"]
    assert int(later["SequenceNumber"]) > int(first["SequenceNumber"])
    assert len(first["SequenceNumber"]) == 20


@pytest.mark.asyncio
async def test_content_based_deduplication_uses_sha256_of_the_body(sim: Simulator) -> None:
    url = await make(sim, "f.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    first = await sim.sqs.send_message(queue_url=url, message_body="same", message_group_id="g")
    second = await sim.sqs.send_message(queue_url=url, message_body="same", message_group_id="h")
    assert first["MessageId"] == second["MessageId"]
    got = (await receive(sim, url, message_system_attribute_names=["All"]))[0]["Attributes"]
    assert got["MessageDeduplicationId"] == hashlib.sha256(b"same").hexdigest()
    assert got["MessageGroupId"] == "g"
    assert got["SequenceNumber"] == first["SequenceNumber"]


@pytest.mark.asyncio
async def test_fifo_keeps_group_order_and_holds_a_group_while_in_flight(
    sim: Simulator,
) -> None:
    url = await make(sim, "f.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for body, group in [("a1", "a"), ("b1", "b"), ("a2", "a"), ("b2", "b"), ("a3", "a")]:
        await sim.sqs.send_message(queue_url=url, message_body=body, message_group_id=group)
    first = await receive(sim, url)
    assert [m["Body"] for m in first] == ["a1"]
    # Group a is held while a1 is in flight; b is free.
    assert [m["Body"] for m in await receive(sim, url, max_number_of_messages=10)] \
        == ["b1", "b2"]
    assert await receive(sim, url, max_number_of_messages=10) == []
    await sim.sqs.delete_message(queue_url=url, receipt_handle=first[0]["ReceiptHandle"])
    assert [m["Body"] for m in await receive(sim, url, max_number_of_messages=10)] \
        == ["a2", "a3"]


@pytest.mark.asyncio
async def test_fifo_delete_with_an_expired_handle_fails(sim: Simulator) -> None:
    url = await make(sim, "f.fifo", FifoQueue="true", ContentBasedDeduplication="true",
                     VisibilityTimeout=10)
    await sim.sqs.send_message(queue_url=url, message_body="m", message_group_id="g")
    handle = (await receive(sim, url))[0]["ReceiptHandle"]
    clock(sim).advance(10)
    err = await error(sim.sqs.delete_message(queue_url=url, receipt_handle=handle))
    assert err.code == "InvalidParameterValue"
    assert "The receipt handle has expired" in err.message


@pytest.mark.asyncio
async def test_fifo_batch_needs_group_ids(sim: Simulator) -> None:
    url = await make(sim, "f.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    err = await error(sim.sqs.send_message_batch(queue_url=url, entries=[
        {"Id": "1", "MessageBody": "m"}]))
    assert (err.code, err.message) == (
        "InvalidParameterValue", "The request must contain the parameter MessageGroupId.")
    ok = await sim.sqs.send_message_batch(queue_url=url, entries=[
        {"Id": "1", "MessageBody": "m", "MessageGroupId": "g"},
        {"Id": "2", "MessageBody": "n", "MessageGroupId": "g"}])
    numbers = [int(e["SequenceNumber"]) for e in ok["Successful"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 2


@pytest.mark.asyncio
async def test_redrive_allow_policy_decides_which_sources_may_use_a_dead_letter_queue(
    sim: Simulator,
) -> None:
    allowed = "arn:aws:sqs:us-east-1:000000000000:allowed"
    await make(sim, "dlq", RedriveAllowPolicy=json.dumps(
        {"redrivePermission": "byQueue", "sourceQueueArns": [allowed]}))
    policy = json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:dlq",
                         "maxReceiveCount": 1})
    assert await make(sim, "allowed", RedrivePolicy=policy)
    denied = await error(sim.sqs.create_queue(queue_name="other",
                                              attributes={"RedrivePolicy": policy}))
    assert denied.code == "InvalidParameterValue"
    bad = await error(sim.sqs.create_queue(queue_name="x", attributes={
        "RedriveAllowPolicy": json.dumps({"redrivePermission": "byQueue"})}))
    assert bad.code == "InvalidAttributeValue"


@pytest.mark.asyncio
async def test_aws_trace_header_is_the_one_system_attribute_a_sender_sets(sim: Simulator) -> None:
    url = await make(sim, "q")
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    sent = await sim.sqs.send_message(queue_url=url, message_body="m", message_system_attributes={
        "AWSTraceHeader": {"DataType": "String", "StringValue": trace}})
    assert len(sent["MD5OfMessageSystemAttributes"]) == 32
    got = (await receive(sim, url, message_system_attribute_names=["AWSTraceHeader"]))[0]
    assert got["Attributes"] == {"AWSTraceHeader": trace}
    bad = await error(sim.sqs.send_message(queue_url=url, message_body="m",
                                           message_system_attributes={
        "SenderId": {"DataType": "String", "StringValue": "me"}}))
    assert bad.code == "InvalidParameterValue"


@pytest.mark.asyncio
async def test_visibility_cannot_reach_past_twelve_hours_from_the_receive(sim: Simulator) -> None:
    url = await make(sim, "q")
    await sim.sqs.send_message(queue_url=url, message_body="m")
    handle = (await receive(sim, url))[0]["ReceiptHandle"]
    clock(sim).advance(20)
    await sim.sqs.change_message_visibility(queue_url=url, receipt_handle=handle,
                                            visibility_timeout=43_180)
    err = await error(sim.sqs.change_message_visibility(queue_url=url, receipt_handle=handle,
                                                        visibility_timeout=43_181))
    assert err.code == "InvalidParameterValue"
    assert "beyond the limit [43200 seconds]" in err.message


@pytest.mark.asyncio
@pytest.mark.parametrize("fifo", [False, True])
async def test_dead_letter_retention_counts_from_the_first_enqueue_unless_fifo(
    sim: Simulator, fifo: bool,
) -> None:
    suffix = ".fifo" if fifo else ""
    kind = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    dlq = await make(sim, "dlq" + suffix, MessageRetentionPeriod=100, **kind)
    url = await make(sim, "src" + suffix, VisibilityTimeout=0, **kind, RedrivePolicy=json.dumps(
        {"deadLetterTargetArn": f"arn:aws:sqs:us-east-1:000000000000:dlq{suffix}",
         "maxReceiveCount": 1}))
    await sim.sqs.send_message(queue_url=url, message_body="m",
                               **({"message_group_id": "g"} if fifo else {}))
    assert await receive(sim, url)
    clock(sim).advance(60)
    assert await receive(sim, url) == []  # moved
    clock(sim).advance(50)  # 110 s after the send, 50 s after the move
    assert (await counts(sim, dlq))[0] == (1 if fifo else 0)
    if fifo:
        moved = (await receive(sim, dlq, message_system_attribute_names=["All"]))[0]
        assert moved["Attributes"]["MessageDeduplicationId"] == moved["MessageId"]


@pytest.mark.asyncio
async def test_concurrent_tag_calls_keep_every_tag(sim: Simulator) -> None:
    url = await make(sim, "q")
    await asyncio.gather(*(sim.sqs.tag_queue(queue_url=url, tags={f"k{i}": "v"})
                           for i in range(5)))
    assert set((await sim.sqs.list_queue_tags(queue_url=url))["Tags"]) == {
        f"k{i}" for i in range(5)}


@pytest.mark.asyncio
async def test_a_send_racing_the_queues_deletion_is_queue_does_not_exist(sim: Simulator) -> None:
    url = await make(sim, "q")
    deleted, sent = await asyncio.gather(
        sim.sqs.delete_queue(queue_url=url),
        sim.sqs.send_message(queue_url=url, message_body="m"),
        return_exceptions=True,
    )
    assert deleted == {}
    assert isinstance(sent, AwsError) and sent.code == "QueueDoesNotExist"


@pytest.mark.asyncio
async def test_fifo_receive_retried_with_the_same_attempt_id_gets_the_same_messages(
    sim: Simulator,
) -> None:
    url = await make(sim, "f.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    for body, group in [("a", "g1"), ("b", "g2")]:
        await sim.sqs.send_message(queue_url=url, message_body=body, message_group_id=group)
    first = await receive(sim, url, receive_request_attempt_id="try-1")
    again = await receive(sim, url, receive_request_attempt_id="try-1")
    assert [m["ReceiptHandle"] for m in again] == [m["ReceiptHandle"] for m in first]
    other = await receive(sim, url, receive_request_attempt_id="try-2")
    assert [m["Body"] for m in other] == ["b"]
    await sim.sqs.delete_message(queue_url=url, receipt_handle=first[0]["ReceiptHandle"])
    assert await receive(sim, url, receive_request_attempt_id="try-1") == []
