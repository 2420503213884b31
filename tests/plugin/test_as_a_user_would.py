"""Tests written the way a user of eventsim writes theirs: the plugin's fixtures and helpers
only, boto3 for the AWS side, handlers that would deploy unchanged.

Push: an S3 upload invokes a function that writes to another bucket; SNS fans out to SQS.
Pull: a Kinesis mapping with ReportBatchItemFailures, a DynamoDB stream mapping, an SQS
mapping. Sync and async tests; a virtual clock for retries; a scenario file loaded by marker.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

SHOP = Path(__file__).parent / "shop"
ORDER = {"id": "o-1", "items": [{"sku": "cat-food", "price": 7}, {"sku": "yarn", "price": 3}]}


def _wire_uploads(s3, function_arn):
    s3.create_bucket(Bucket="orders")
    s3.create_bucket(Bucket="receipts")
    s3.put_bucket_notification_configuration(Bucket="orders", NotificationConfiguration={
        "LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".json"}]}},
        }]})


# -- push ----------------------------------------------------------------------------------


def test_an_uploaded_order_gets_a_receipt_in_the_other_bucket(eventsim, eventsim_s3):
    fn = eventsim.define_function("write-receipt", "receipts.handler", code=SHOP,
                                  environment={"RECEIPTS_BUCKET": "receipts"})
    _wire_uploads(eventsim_s3, fn.arn)

    eventsim_s3.put_object(Bucket="orders", Key="2026/o 1.json", Body=json.dumps(ORDER))
    eventsim_s3.put_object(Bucket="orders", Key="2026/notes.txt", Body=b"not an order")
    eventsim.settle()

    [run] = eventsim.assert_invoked("write-receipt", count=1, status="Success", event={
        "Records": [{"eventSource": "aws:s3", "s3": {"object": {"key": "2026/o+1.json"}}}]})
    assert run.response == {"receipts": [{"order": "o-1", "total": 10}]}
    body = eventsim_s3.get_object(Bucket="receipts", Key="receipts/o-1.json")["Body"].read()
    assert json.loads(body) == {"order": "o-1", "total": 10}


def test_the_trace_follows_an_upload_through_two_functions(eventsim, eventsim_s3):
    fn = eventsim.define_function("write-receipt", "receipts.handler", code=SHOP,
                                  environment={"RECEIPTS_BUCKET": "receipts"})
    _wire_uploads(eventsim_s3, fn.arn)
    mailer = eventsim.define_function("mail-receipt", lambda event, context: None)
    eventsim_s3.put_bucket_notification_configuration(Bucket="receipts", NotificationConfiguration={
        "LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": mailer.arn, "Events": ["s3:ObjectCreated:*"]}]})

    eventsim_s3.put_object(Bucket="orders", Key="o-1.json", Body=json.dumps(ORDER))
    eventsim.settle()

    [upload] = eventsim.assert_invoked("write-receipt", count=1, status="Success")
    trace = eventsim.assert_trace(upload, functions=["write-receipt", "mail-receipt"], depth=2,
                                  writes=["receipts/o-1.json"],
                                  statuses={"mail-receipt": "Success"})
    [mail] = eventsim.assert_invoked("mail-receipt", count=1)
    assert mail.trace_id == trace.trace_id


def test_a_topic_fans_out_to_every_subscribed_queue(eventsim, eventsim_sns, eventsim_sqs):
    topic = eventsim_sns.create_topic(Name="orders")["TopicArn"]
    queues = {}
    for name in ("billing", "shipping"):
        url = eventsim_sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = eventsim_sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        eventsim_sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                               Attributes={"RawMessageDelivery": "true"} if name == "billing"
                               else {})
        queues[name] = url

    eventsim_sns.publish(TopicArn=topic, Message=json.dumps(ORDER))
    eventsim.settle()

    assert eventsim.assert_queue("billing", count=1) == [ORDER]
    [envelope] = eventsim.assert_queue("shipping", count=1, body={"Type": "Notification"})
    assert json.loads(envelope["Message"]) == ORDER
    received = eventsim_sqs.receive_message(QueueUrl=queues["shipping"])["Messages"]
    assert json.loads(json.loads(received[0]["Body"])["Message"]) == ORDER


def test_a_failing_async_invocation_is_retried_on_the_clock_then_dead_lettered(
    eventsim, eventsim_clock, eventsim_sqs, eventsim_lambda
):
    eventsim_sqs.create_queue(QueueName="charge-dlq")
    attempts = []

    def charge(event, context):
        attempts.append(context.aws_request_id)
        raise RuntimeError(f"card declined for {event['order']}")

    eventsim.define_function("charge", charge,
                             dead_letter_target="arn:aws:sqs:us-east-1:000000000000:charge-dlq")
    eventsim_lambda.invoke(FunctionName="charge", InvocationType="Event",
                           Payload=json.dumps({"order": "o-7"}))

    eventsim_clock.advance(0)
    eventsim.assert_invoked("charge", count=1, status="Error")
    assert eventsim_clock.pending() == pytest.approx(60)
    eventsim_clock.advance(59)
    eventsim.assert_invoked("charge", count=1)  # Lambda waits a minute before retrying
    eventsim_clock.advance(1)
    eventsim.assert_invoked("charge", count=2)
    eventsim.settle()  # the second retry, two minutes on, without waiting for it

    eventsim.assert_invoked("charge", count=3, status="Error")
    assert len(set(attempts)) == 1  # every retry keeps the request id
    eventsim.assert_queue("charge-dlq", count=1, body={"order": "o-7"})


# -- pull ----------------------------------------------------------------------------------


def _kinesis_event_records(event):
    return [(r["kinesis"]["sequenceNumber"], json.loads(base64.b64decode(r["kinesis"]["data"])))
            for r in event["Records"]]


def test_a_kinesis_batch_is_retried_from_its_poison_record_then_sent_to_the_destination(
    eventsim, eventsim_kinesis, eventsim_lambda, eventsim_sqs
):
    seen = []

    def count_clicks(event, context):
        failures = []
        for seq, click in _kinesis_event_records(event):
            seen.append(click["n"])
            if "page" not in click:
                failures.append({"itemIdentifier": seq})
                break  # report the first failure; Lambda retries from there
        return {"batchItemFailures": failures}

    eventsim.define_function("count-clicks", count_clicks)
    eventsim_kinesis.create_stream(StreamName="clicks", ShardCount=1)
    stream = eventsim_kinesis.describe_stream(StreamName="clicks")["StreamDescription"]
    failures_url = eventsim_sqs.create_queue(QueueName="click-failures")["QueueUrl"]
    failures_arn = eventsim_sqs.get_queue_attributes(
        QueueUrl=failures_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    eventsim_lambda.create_event_source_mapping(
        FunctionName="count-clicks", EventSourceArn=stream["StreamARN"],
        StartingPosition="TRIM_HORIZON", BatchSize=10, MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": failures_arn}})

    eventsim_kinesis.put_records(StreamName="clicks", Records=[
        {"Data": json.dumps({"n": n, **({"page": "/home"} if n != 2 else {})}).encode(),
         "PartitionKey": "user-1"} for n in range(4)])
    eventsim.settle()

    runs = eventsim.assert_invoked("count-clicks", count=2, status="Success")
    assert [len(r.event["Records"]) for r in runs] == [4, 2]
    assert seen == [0, 1, 2, 2]  # the retry starts at the reported poison record
    [failure] = eventsim.assert_queue("click-failures", count=1)
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["KinesisBatchInfo"]["batchSize"] == 2  # the retried batch, records 2 and 3


def test_an_sqs_mapping_delivers_queued_messages_in_batches(eventsim, eventsim_sqs,
                                                            eventsim_lambda):
    bodies = []
    eventsim.define_function("ship", lambda event, context: bodies.extend(
        json.loads(r["body"])["id"] for r in event["Records"]))
    url = eventsim_sqs.create_queue(QueueName="to-ship")["QueueUrl"]
    arn = eventsim_sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    eventsim_lambda.create_event_source_mapping(FunctionName="ship", EventSourceArn=arn,
                                                BatchSize=5)

    eventsim_sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(n), "MessageBody": json.dumps({"id": f"o-{n}"})} for n in range(7)])
    eventsim.settle()

    runs = eventsim.assert_invoked("ship", status="Success",
                                   event=lambda e: e["Records"][0]["eventSource"] == "aws:sqs")
    assert sum(len(r.event["Records"]) for r in runs) == 7
    assert sorted(bodies) == [f"o-{n}" for n in range(7)]
    assert eventsim.queue_messages("to-ship") == []  # every batch succeeded: all deleted


# -- async tests -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_dynamodb_stream_mapping_sees_inserts_and_modifies_in_order(eventsim_async):
    changes = []

    def audit(event, context):
        changes.extend((r["eventName"], r["dynamodb"]["Keys"]["id"]["S"])
                       for r in event["Records"])

    await eventsim_async.define_function("audit", audit)
    table = await eventsim_async.dynamodb.create_table(
        table_name="pets", billing_mode="PAY_PER_REQUEST",
        key_schema=[{"AttributeName": "id", "KeyType": "HASH"}],
        attribute_definitions=[{"AttributeName": "id", "AttributeType": "S"}],
        stream_specification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    await eventsim_async.mappings.create_event_source_mapping(
        function_name="audit", event_source_arn=table["TableDescription"]["LatestStreamArn"],
        starting_position="TRIM_HORIZON")

    dynamodb = eventsim_async.client("dynamodb")
    dynamodb.put_item(TableName="pets", Item={"id": {"S": "cat"}, "age": {"N": "3"}})
    dynamodb.update_item(TableName="pets", Key={"id": {"S": "cat"}},
                         UpdateExpression="SET age = :a", ExpressionAttributeValues={
                             ":a": {"N": "4"}})
    await eventsim_async.settle()

    await eventsim_async.assert_invoked("audit", status="Success")
    assert changes == [("INSERT", "cat"), ("MODIFY", "cat")]


@pytest.mark.asyncio
async def test_an_async_test_drives_an_upload_workflow_end_to_end(eventsim_async):
    fn = await eventsim_async.define_function("write-receipt", "receipts.handler", code=SHOP,
                                              environment={"RECEIPTS_BUCKET": "receipts"})
    s3 = eventsim_async.client("s3")
    _wire_uploads(s3, fn.arn)
    await eventsim_async.s3.put_object(bucket="orders", key="o-1.json",
                                       body=json.dumps(ORDER).encode())
    await eventsim_async.settle()

    await eventsim_async.assert_invoked("write-receipt", count=1, status="Success")
    assert json.loads(s3.get_object(Bucket="receipts", Key="receipts/o-1.json")["Body"].read())


# -- a handler alone, a scenario file, a shared simulator -------------------------------------


def test_a_handler_called_directly_gets_a_lambda_context(lambda_context_factory):
    context = lambda_context_factory(function_name="greet", timeout=10)

    def greet(event, context):
        return {"hello": event["name"], "from": context.function_name,
                "ms_left": context.get_remaining_time_in_millis()}

    answer = greet({"name": "cat"}, context)
    assert answer["hello"] == "cat" and answer["from"] == "greet"
    assert 0 < answer["ms_left"] <= 10_000


@pytest.mark.eventsim_scenario("scenarios/retry-then-dlq.yaml", steps=True)
def test_the_retry_scenario_ends_in_its_dead_letter_queue(eventsim):
    eventsim.check_scenario()
    eventsim.assert_invoked("charge-card", count=3, status="Error")
    eventsim.assert_queue("charge-dlq", count=1, body={"order": "o-7", "amount": 42})
    [outcome] = eventsim.assert_outcomes("refund-card", condition="RetriesExhausted")
    assert outcome.destination.endswith(":refund-failures")


def test_tests_sharing_the_session_simulator_keep_to_their_own_names(eventsim_shared):
    bucket = eventsim_shared.unique("uploads")
    s3 = eventsim_shared.client("s3")
    s3.create_bucket(Bucket=bucket)
    eventsim_shared.define_function(eventsim_shared.unique("noop"), lambda e, c: None)
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
