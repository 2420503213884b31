"""Sources that invoke a version or an alias: S3 notifications and SNS subscriptions to a
qualified function ARN, an event source mapping on an alias, and the alias's own asynchronous
settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from eventsim import Simulator, SimulatorConfig

pytestmark = pytest.mark.asyncio

ARN = "arn:aws:lambda:us-east-1:000000000000:function:worker"
HANDLER = '''
def handler(event, context):
    if event.get("fail"):
        raise RuntimeError("failing on purpose")
    return {{"code": {code!r}, "invoked": context.invoked_function_arn}}
'''


@pytest_asyncio.fixture
async def sim(tmp_path: Path) -> AsyncIterator[Simulator]:
    """A function "worker" with version 1 ("first"), $LATEST ("second") and alias "live" -> 1
    that lets S3 and SNS invoke it."""
    code = tmp_path / "code"
    code.mkdir()
    (code / "app.py").write_text(HANDLER.format(code="first"))
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await sim.functions.create_function(name="worker", handler="app.handler",
                                            code_dir=code)
        await sim.lambda_api.publish_version(function_name="worker")
        (code / "app.py").write_text(HANDLER.format(code="second"))
        await sim.functions.update_function("worker", code_dir=code)
        await sim.lambda_api.create_alias(function_name="worker", name="live",
                                          function_version="1")
        for qualifier, principal in (("live", "s3.amazonaws.com"), ("1", "sns.amazonaws.com")):
            await sim.lambda_api.add_permission(
                function_name="worker", qualifier=qualifier, statement_id=principal,
                action="lambda:InvokeFunction", principal=principal)
        yield sim


async def test_an_s3_notification_to_an_alias_arn_invokes_the_alias(sim: Simulator) -> None:
    await sim.s3.create_bucket(bucket="uploads")
    await sim.s3.put_bucket_notification_configuration(
        bucket="uploads", notification_configuration={"LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": f"{ARN}:live", "Events": ["s3:ObjectCreated:*"]}]})
    await sim.s3.put_object(bucket="uploads", key="a.txt", body=b"a")
    await sim.settle()
    [record] = await sim.invocations.list(function="worker")
    assert (record.version, record.response) == ("1", {"code": "first",
                                                       "invoked": f"{ARN}:live"})


async def test_an_sns_subscription_to_a_version_arn_invokes_that_version(
    sim: Simulator
) -> None:
    topic = (await sim.sns.create_topic(name="orders"))["TopicArn"]
    await sim.sns.subscribe(topic_arn=topic, protocol="lambda", endpoint=f"{ARN}:1")
    await sim.sns.publish(topic_arn=topic, message="hello")
    await sim.settle()
    [record] = await sim.invocations.list(function="worker")
    assert (record.version, record.response["invoked"]) == ("1", f"{ARN}:1")


async def test_an_event_source_mapping_on_an_alias_invokes_the_alias(sim: Simulator) -> None:
    queue = await sim.sqs.create_queue(queue_name="jobs")
    queue_arn = "arn:aws:sqs:us-east-1:000000000000:jobs"
    made = await sim.mappings.create_event_source_mapping(
        function_name="worker:live", event_source_arn=queue_arn, batch_size=1)
    assert made["FunctionArn"] == f"{ARN}:live"
    listed = await sim.mappings.list_event_source_mappings(function_name="worker")
    assert [m["UUID"] for m in listed["EventSourceMappings"]] == [made["UUID"]]
    await sim.sqs.send_message(queue_url=queue["QueueUrl"], message_body="job")
    await sim.settle()
    [record] = await sim.invocations.list(function="worker")
    assert (record.version, record.response["invoked"]) == ("1", f"{ARN}:live")


async def test_an_asynchronous_invoke_through_an_alias_follows_the_alias_retry_setting(
    sim: Simulator
) -> None:
    await sim.lambda_api.put_function_event_invoke_config(
        function_name="worker", qualifier="live", maximum_retry_attempts=0)
    await sim.functions.invoke("worker:live", {"fail": True}, invocation_type="Event")
    await sim.functions.invoke("worker", {"fail": True}, invocation_type="Event")
    await sim.settle()
    records = await sim.invocations.list(function="worker")
    by_version = sorted((r.version, r.attempt) for r in records)
    # The alias: one attempt (its own MaximumRetryAttempts 0); $LATEST: AWS's 2 retries.
    assert by_version == [("$LATEST", 1), ("$LATEST", 2), ("$LATEST", 3), ("1", 1)]
