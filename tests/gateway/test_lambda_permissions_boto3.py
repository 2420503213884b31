"""Resource-based policies enforced, warned of, or ignored (`SimulatorConfig.permissions`),
through boto3 against the gateway: S3 notification destinations and SNS deliveries."""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from eventsim import SimulatorConfig
from eventsim.testing import ThreadedSimulator

HANDLERS = Path(__file__).parent / "lambda_handlers"
ACCOUNT = "000000000000"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function"

_numbers = itertools.count()


@pytest.fixture(scope="module")
def enforcing() -> Iterator[ThreadedSimulator]:
    with ThreadedSimulator(SimulatorConfig(permissions="enforce")) as sim:
        yield sim


@pytest.fixture(scope="module")
def lenient() -> Iterator[ThreadedSimulator]:
    with ThreadedSimulator(SimulatorConfig(permissions="off")) as sim:
        yield sim


def _name(request: pytest.FixtureRequest) -> str:
    return f"{request.node.name[5:30].replace('_', '-').strip('-')}-{next(_numbers)}"


def _function(sim: ThreadedSimulator, name: str) -> str:
    sim.functions.create_function(name=name, handler="app.echo", code_dir=HANDLERS)
    return f"{FUNCTION_ARN}:{name}"


def _notify(s3: Any, bucket: str, function_arn: str) -> Any:
    return s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:*"]}]})


def _allow_s3(lam: Any, function: str, bucket: str, **extra: Any) -> None:
    lam.add_permission(FunctionName=function, StatementId=f"s3-{bucket}",
                       Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                       SourceArn=f"arn:aws:s3:::{bucket}", SourceAccount=ACCOUNT, **extra)


def test_enforced_s3_notification_needs_a_policy_that_lets_s3_invoke_for_that_bucket(
    enforcing: ThreadedSimulator, request: pytest.FixtureRequest
) -> None:
    s3, lam = enforcing.client("s3"), enforcing.client("lambda")
    name = _name(request)
    arn = _function(enforcing, name)
    s3.create_bucket(Bucket=name)
    with pytest.raises(ClientError) as raised:
        _notify(s3, name, arn)
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidArgument", "Unable to validate the following destination configurations")
    assert (error["ArgumentName1"], error["ArgumentValue1"]) == (
        f"{arn}, null", f"Not authorized to invoke function [{arn}]")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

    _allow_s3(lam, name, "some-other-bucket")  # another bucket's permission does not do
    with pytest.raises(ClientError):
        _notify(s3, name, arn)
    _allow_s3(lam, name, name)
    _notify(s3, name, arn)
    s3.put_object(Bucket=name, Key="a.txt", Body=b"a")
    enforcing.settle()
    [record] = enforcing.invocations.list(function=name)
    assert record.event["Records"][0]["s3"]["bucket"]["name"] == name
    assert all(w.function_arn != arn or w.refused for w in enforcing.sim.permissions.warnings)


def test_enforced_permission_of_the_unqualified_function_does_not_cover_an_alias(
    enforcing: ThreadedSimulator, request: pytest.FixtureRequest
) -> None:
    s3, lam = enforcing.client("s3"), enforcing.client("lambda")
    name = _name(request)
    arn = _function(enforcing, name)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    s3.create_bucket(Bucket=name)
    _allow_s3(lam, name, name)
    with pytest.raises(ClientError) as raised:
        _notify(s3, name, f"{arn}:live")
    assert raised.value.response["Error"]["Code"] == "InvalidArgument"
    _allow_s3(lam, name, name, Qualifier="live")
    _notify(s3, name, f"{arn}:live")


def test_enforced_sns_delivery_to_a_function_sns_may_not_invoke_fails_to_the_dead_letter_queue(
    enforcing: ThreadedSimulator, request: pytest.FixtureRequest
) -> None:
    sns, sqs, lam = (enforcing.client(s) for s in ("sns", "sqs", "lambda"))
    name = _name(request)
    arn = _function(enforcing, name)
    topic = sns.create_topic(Name=name)["TopicArn"]
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn})})
    sns.publish(TopicArn=topic, Message="refused")
    enforcing.settle()
    assert enforcing.invocations.list(function=name) == []
    [message] = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=0)["Messages"]
    assert json.loads(message["Body"])["Message"] == "refused"
    warning = next(w for w in enforcing.sim.permissions.warnings if w.function_arn == arn)
    assert warning.refused and warning.principal == "sns.amazonaws.com"
    assert f"--source-arn {topic}" in warning.add_permission

    lam.add_permission(FunctionName=name, StatementId="sns", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic)
    sns.publish(TopicArn=topic, Message="allowed")
    enforcing.settle()
    [record] = enforcing.invocations.list(function=name)
    assert record.event["Records"][0]["Sns"]["Message"] == "allowed"


def test_warn_mode_invokes_and_names_the_add_permission_call_aws_would_need(
    threaded_sim: ThreadedSimulator, request: pytest.FixtureRequest,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert threaded_sim.sim.permissions.mode == "warn"  # the default
    s3 = threaded_sim.client("s3")
    name = _name(request)
    arn = _function(threaded_sim, name)
    s3.create_bucket(Bucket=name)
    with caplog.at_level(logging.WARNING, logger="eventsim"):
        _notify(s3, name, arn)
    s3.put_object(Bucket=name, Key="a.txt", Body=b"a")
    threaded_sim.settle()
    assert len(threaded_sim.invocations.list(function=name)) == 1
    [warning] = [w for w in threaded_sim.sim.permissions.warnings if w.function_arn == arn]
    assert not warning.refused
    assert warning.add_permission == (
        f"aws lambda add-permission --function-name {name} --statement-id s3-{name} "
        "--action lambda:InvokeFunction --principal s3.amazonaws.com "
        f"--source-arn arn:aws:s3:::{name} --source-account {ACCOUNT}")
    logged = [r for r in caplog.records if r.name.startswith("eventsim")
              and warning.add_permission in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.WARNING


def test_off_mode_neither_refuses_nor_warns(
    lenient: ThreadedSimulator, request: pytest.FixtureRequest
) -> None:
    s3, sns = lenient.client("s3"), lenient.client("sns")
    name = _name(request)
    arn = _function(lenient, name)
    s3.create_bucket(Bucket=name)
    _notify(s3, name, arn)
    topic = sns.create_topic(Name=name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    s3.put_object(Bucket=name, Key="a.txt", Body=b"a")
    sns.publish(TopicArn=topic, Message="m")
    lenient.settle()
    assert len(lenient.invocations.list(function=name)) == 2
    assert lenient.sim.permissions.warnings == []


def test_serve_takes_the_permissions_mode_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventsim import cli

    seen: list[SimulatorConfig] = []

    async def serve(config: SimulatorConfig, *args: Any, **options: Any) -> None:
        seen.append(config)

    monkeypatch.setattr(cli, "_serve_until_stopped", serve)
    assert cli.main(["serve", "--permissions", "enforce"]) == 0
    assert cli.main(["serve"]) == 0
    assert [c.permissions for c in seen] == ["enforce", "warn"]
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--permissions", "strict"])
    assert exited.value.code == 2
    assert "invalid choice: 'strict'" in capsys.readouterr().err
