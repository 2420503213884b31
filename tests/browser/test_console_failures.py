"""What a failure looks like in the console: a Kinesis batch the thumbnail function cannot
handle fails, the mapping gives up on it (no retries) and sends it to its on-failure queue.
The mapping, the error, the queue's message, the destination and the topology all show it.
Also fills the other services' views (a topic with a subscription, a table with a stream),
so the screenshots show data."""

from __future__ import annotations

import json
from typing import Any

import boto3

TIMEOUT_MS = 30_000


def _client(base: str, service: str) -> Any:
    return boto3.client(service, endpoint_url=base.removesuffix("/_eventsim/"),
                        region_name="us-east-1", aws_access_key_id="test",
                        aws_secret_access_key="test")


def test_failed_stream_batch_shows_on_mapping_error_queue_destination_and_topology(
    console_page: Any,
) -> None:
    tab = console_page()
    sqs, kinesis, lam = (_client(tab.base, s) for s in ("sqs", "kinesis", "lambda"))
    sns, ddb = _client(tab.base, "sns"), _client(tab.base, "dynamodb")
    queue_url = sqs.create_queue(QueueName="thumbnail-failures")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    kinesis.create_stream(StreamName="clicks", ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName="clicks")["StreamDescription"]["StreamARN"]
    lam.create_event_source_mapping(
        FunctionName="make-thumbnail", EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON",
        BatchSize=10, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )
    kinesis.put_record(StreamName="clicks", PartitionKey="user-1",
                       Data=json.dumps({"page": "/cats"}).encode())
    topic = sns.create_topic(Name="uploads-topic")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    ddb.create_table(TableName="thumbs", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    ddb.put_item(TableName="thumbs", Item={"id": {"S": "cats/cat.jpg"}, "width": {"N": "128"}})

    page = tab.open("mappings")
    # The page's own same-origin POST: wait until the poller has given up on the batch.
    settle = "fetch('api/settle?timeout=30', {method: 'POST'}).then(r => r.status)"
    assert page.evaluate(settle) == 200

    page = tab.open("mappings")
    row = page.locator("main table.list tbody tr").filter(has_text="clicks")
    row.click()
    shards = page.get_by_test_id("mapping-shards")
    shards.wait_for(timeout=TIMEOUT_MS)
    assert "shardId-000000000000" in shards.inner_text()
    assert "thumbnail-failures" in page.locator(".detail-pane").inner_text()
    tab.screenshot("mapping-detail")

    page = tab.open("invocations?status=Error")
    failed = page.locator("main table.list tbody tr").filter(has_text="kinesis").first
    failed.wait_for(timeout=TIMEOUT_MS)
    failed.click()
    page.get_by_role("tab", name="Error").click()
    assert "KeyError" in page.locator("main pre.code").inner_text()
    tab.screenshot("invocation-error")

    page = tab.open("sqs/thumbnail-failures")
    message = page.locator("main table.list tbody tr").first
    message.wait_for(timeout=TIMEOUT_MS)
    message.click()
    body = page.get_by_test_id("message-body").inner_text()
    assert "KinesisBatchInfo" in body and stream_arn in body
    tab.screenshot("sqs-on-failure-message")

    page = tab.open("destinations")
    destinations = page.get_by_test_id("destinations")
    assert "thumbnail-failures" in destinations.inner_text()
    tab.screenshot("destinations-configured")

    page = tab.open("topology")
    page.locator("[data-test=topo-stream]").wait_for(timeout=TIMEOUT_MS)
    assert page.locator("svg.topology .link.mapping").count() == 1
    assert page.locator("svg.topology .link.on_failure").count() == 1
    tab.screenshot("topology-with-mapping")

    page = tab.open("kinesis/clicks")
    record = page.locator("main table.list tbody tr").first
    record.wait_for(timeout=TIMEOUT_MS)
    assert "user-1" in record.inner_text() and "/cats" in record.inner_text()
    tab.screenshot("kinesis-records")

    page = tab.open("dynamodb/thumbs")
    rows = page.locator("main table.list tbody tr")
    rows.filter(has_text="cats/cat.jpg").wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("tab", name="Stream records").click()
    rows.filter(has_text="INSERT").wait_for(timeout=TIMEOUT_MS)
    tab.screenshot("dynamodb-stream")

    page = tab.open("sns")
    page.locator("main table.list tbody tr").filter(has_text="uploads-topic").click()
    assert "thumbnail-failures" in page.locator(".detail-pane").inner_text()
    tab.screenshot("sns-subscriptions")
