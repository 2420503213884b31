"""``eventsim run --template``: a SAM template's resources, functions and events, wired.

The fixture template (fixtures/sam/template.yaml) has an S3, an SNS, an SQS, a DynamoDB and a
Kinesis event; each test writes to the sources through the service methods and looks at what
the function received.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from eventsim import Simulator, SimulatorConfig
from eventsim.cli import main
from eventsim.errors import ConfigError
from eventsim.scenario.runner import apply_resources, run_scenario
from eventsim.scenario.sam import load_template, parse_overrides

REPO = Path(__file__).parent.parent.parent
SAM = REPO / "fixtures" / "sam"
TEMPLATE = SAM / "template.yaml"
HANDLERS = SAM / "handlers"


async def _events(sim: Simulator, function: str) -> list[Any]:
    return [i.event for i in await sim.invocations.list(function=function)]


@pytest.mark.asyncio
async def test_every_event_source_invokes_its_function_with_the_record() -> None:
    loaded = load_template(TEMPLATE)
    assert loaded.warnings == []
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await apply_resources(sim, loaded.scenario)
        await sim.s3.put_object(bucket="eventsim-uploads-dev", key="photos/cat.jpg", body=b"meow")
        await sim.s3.put_object(bucket="eventsim-uploads-dev", key="notes.txt", body=b"no")
        topic = "arn:aws:sns:us-east-1:000000000000:alerts-dev"
        for severity in ("high", "low"):
            await sim.sns.publish(topic_arn=topic, message=f"{severity} alert",
                                  message_attributes={"severity": {
                                      "DataType": "String", "StringValue": severity}})
        await sim.sqs.send_message(queue_url=sim.sqs.url_of("Jobs"), message_body='{"job": 1}')
        await sim.dynamodb.put_item(table_name="orders-test", item={"id": {"S": "o-1"}})
        await sim.kinesis.put_record(stream_name="Clicks", data=b'{"page": "/"}',
                                     partition_key="u1")
        await sim.settle()

        [s3] = await _events(sim, "UploadFunction")  # the .txt key is filtered out
        assert s3["Records"][0]["eventName"] == "ObjectCreated:Put"
        assert s3["Records"][0]["s3"]["bucket"]["name"] == "eventsim-uploads-dev"
        assert s3["Records"][0]["s3"]["object"]["key"] == "photos/cat.jpg"

        [sns] = await _events(sim, "AlertFunction")  # FilterPolicy severity: [high]
        assert sns["Records"][0]["Sns"]["Message"] == "high alert"
        assert sns["Records"][0]["Sns"]["TopicArn"] == topic

        [sqs] = await _events(sim, "JobFunction")
        assert sqs["Records"][0]["body"] == '{"job": 1}'
        assert sqs["Records"][0]["eventSourceARN"] == "arn:aws:sqs:us-east-1:000000000000:Jobs"

        [ddb] = await _events(sim, "OrderFunction")
        table = (await sim.dynamodb.describe_table(table_name="orders-test"))["Table"]
        assert ddb["Records"][0]["eventName"] == "INSERT"
        assert ddb["Records"][0]["dynamodb"]["NewImage"] == {"id": {"S": "o-1"}}
        assert ddb["Records"][0]["eventSourceARN"] == table["LatestStreamArn"]

        [kinesis] = await _events(sim, "eventsim-clicks")
        record = kinesis["Records"][0]
        assert base64.b64decode(record["kinesis"]["data"]) == b'{"page": "/"}'
        assert record["eventSourceARN"] == sim.kinesis.stream_arn("Clicks")


@pytest.mark.asyncio
async def test_mappings_carry_the_event_properties() -> None:
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await apply_resources(sim, load_template(TEMPLATE).scenario)
        mappings = {m["EventSourceArn"].split(":")[2]: m for m in (
            await sim.mappings.list_event_source_mappings())["EventSourceMappings"]}
        assert set(mappings) == {"sqs", "dynamodb", "kinesis"}
        assert mappings["sqs"]["BatchSize"] == 5  # !Ref JobBatchSize
        assert mappings["sqs"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        kinesis = mappings["kinesis"]
        assert (kinesis["BatchSize"], kinesis["MaximumRetryAttempts"]) == (100, 1)
        assert kinesis["BisectBatchOnFunctionError"] is True
        assert kinesis["DestinationConfig"]["OnFailure"]["Destination"] == \
            "arn:aws:sqs:us-east-1:000000000000:click-failures"
        assert kinesis["FunctionArn"].endswith(":function:eventsim-clicks")
        assert mappings["dynamodb"]["StartingPosition"] == "TRIM_HORIZON"


@pytest.mark.asyncio
async def test_intrinsics_name_the_resources() -> None:
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await apply_resources(sim, load_template(TEMPLATE).scenario)
        buckets = [b["Name"] for b in (await sim.s3.list_buckets())["Buckets"]]
        assert buckets == ["eventsim-uploads-dev"]  # !Sub ${AWS::StackName}-uploads-${Stage}
        topics = [t["TopicArn"] for t in (await sim.sns.list_topics())["Topics"]]
        assert topics == ["arn:aws:sns:us-east-1:000000000000:alerts-dev"]  # !Join
        tables = (await sim.dynamodb.list_tables())["TableNames"]
        assert sorted(tables) == ["Sessions", "orders-test"]  # !If IsProd; logical id
        queues = (await sim.sqs.list_queues())["QueueUrls"]
        assert sorted(q.rsplit("/", 1)[-1] for q in queues) == [
            "Jobs", "JobsDeadLetters", "click-failures"]  # !Select [0, !Split ...]
        attributes = (await sim.sqs.get_queue_attributes(
            queue_url=sim.sqs.url_of("Jobs"), attribute_names=["All"]))["Attributes"]
        assert attributes["VisibilityTimeout"] == "60"
        assert json.loads(attributes["RedrivePolicy"]) == {
            "deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:JobsDeadLetters",
            "maxReceiveCount": 3}
        shards = await sim.kinesis.list_shards(stream_name="Clicks")
        assert len(shards["Shards"]) == 2


@pytest.mark.asyncio
async def test_globals_apply_and_a_function_overrides_them() -> None:
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await apply_resources(sim, load_template(TEMPLATE).scenario)
        job = await sim.functions.get_function("JobFunction")
        assert (job.runtime, job.handler, job.timeout, job.memory_size) == (
            "python3.12", "app.record", 10, 256)
        assert job.code_dir == str(HANDLERS)  # CodeUri relative to the template
        assert job.environment == {"STAGE": "dev", "REGION": "us-east-1"}
        upload = await sim.functions.get_function("UploadFunction")
        assert upload.environment == {"STAGE": "dev", "REGION": "us-east-1",
                                      "BUCKET": "eventsim-uploads-dev"}  # merged with Globals
        clicks = await sim.functions.get_function("eventsim-clicks")
        assert clicks.timeout == 30


def test_parameter_overrides_and_stack_name_change_what_is_built() -> None:
    loaded = load_template(TEMPLATE, stack_name="shop", parameters=parse_overrides(
        ["Stage=prod", "ParameterKey=JobBatchSize,ParameterValue=2"]))
    scenario = loaded.scenario
    assert scenario.resources.bucket_names == ["shop-uploads-prod"]
    assert [t.name for t in scenario.resources.tables] == ["orders", "Sessions"]
    assert "shop-clicks" in scenario.functions
    work = scenario.functions["JobFunction"].events["Work"]
    assert work.properties.mapping_arguments()["batch_size"] == 2
    env = scenario.functions["JobFunction"].environment.variables
    assert env["STAGE"] == "prod"


@pytest.mark.parametrize(("override", "message"), [
    ("Stage=qa", "template.yaml:6: Parameters.Stage: --parameter-overrides 'qa': not one of "
                 "AllowedValues dev, prod"),
    ("JobBatchSize=50", "template.yaml:10: Parameters.JobBatchSize: --parameter-overrides '50': "
                        "is above MaxValue 10"),
    ("Stagee=dev", "--parameter-overrides Stagee: the template has no parameter Stagee "
                   "(did you mean Stage?)"),
    ("nonsense", "--parameter-overrides 'nonsense': write Key=Value"),
])
def test_bad_parameter_overrides_are_errors(override: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_template(TEMPLATE, parameters=parse_overrides([override]))
    assert message in str(caught.value)


def test_scenario_file_steps_name_template_resources_by_logical_id() -> None:
    scenario = load_template(TEMPLATE).with_scenario(SAM / "every_event.yaml")
    kinds = [(step.KIND, getattr(step, "bucket", None) or getattr(step, "topic", None)
              or getattr(step, "queue", None) or getattr(step, "table", None)
              or getattr(step, "stream", None)) for step in scenario.steps]
    assert kinds == [
        ("put_object", "eventsim-uploads-dev"), ("put_object", "eventsim-uploads-dev"),
        ("publish", "alerts-dev"), ("publish", "alerts-dev"),  # Alerts and !Ref Alerts
        ("send_message", "Jobs"), ("put_item", "orders-test"), ("put_record", "Clicks")]
    assert scenario.expect[4].function == "eventsim-clicks"  # ClickFunction's FunctionName


@pytest.mark.asyncio
async def test_scenario_over_the_template_passes() -> None:
    report = await run_scenario(load_template(TEMPLATE).with_scenario(SAM / "every_event.yaml"))
    assert report.passed, report.render()
    assert len(report.expectations) == 9


# -- the command line ------------------------------------------------------------------------


def test_cli_template_with_a_scenario_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--template", str(TEMPLATE), str(SAM / "every_event.yaml")]) == 0
    assert "PASSED: 9 of 9" in capsys.readouterr().out


def test_cli_template_alone_is_wired_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--template", str(TEMPLATE), "--clock", "virtual"]) == 0
    assert "template.yaml" in capsys.readouterr().out


def test_cli_failed_expectation_over_a_template_exits_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: wrong\nclock: virtual\nexpect:\n"
                    "  - invocations: {function: JobFunction, count: 1}\n")
    assert main(["run", "-t", str(TEMPLATE), str(path)]) == 1
    assert "expected 1 invocation of JobFunction, found 0" in capsys.readouterr().out


def test_cli_overrides_need_a_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "x.yaml", "--parameter-overrides", "A=b"]) == 2
    assert "need --template" in capsys.readouterr().err


def test_cli_scenario_naming_an_unknown_resource_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: typo\nsteps:\n  - send_message: {queue: Jobz, message_body: x}\n")
    assert main(["run", "-t", str(TEMPLATE), str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: steps[0].send_message.queue: no queue Jobz" in err
    assert "Traceback" not in err


def test_cli_warnings_name_the_line_of_what_is_ignored(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(f"""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {{StageName: dev}}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.record
      CodeUri: {HANDLERS}
      Layers: [arn:aws:lambda:us-east-1:000000000000:layer:x:1]
      Role: arn:aws:iam::000000000000:role/whatever
      Events:
        Get:
          Type: Api
          Properties: {{Path: /, Method: get}}
""")
    assert main(["run", "-t", str(path), "--clock", "virtual"]) == 0
    err = capsys.readouterr().err
    assert f"{path}:4: Resources.Api.Type: AWS::Serverless::Api skipped" in err
    assert f"{path}:12: Resources.Fn.Properties.Layers[0]: eventsim cannot fetch layer " \
           "arn:aws:lambda:us-east-1:000000000000:layer:x:1 (not a layer of this template)" in err
    assert f"{path}:16: Resources.Fn.Properties.Events.Get.Type: eventsim simulates no Api " \
           "event source; skipped" in err
    assert "Role" not in err  # IAM has no effect here, so nothing to warn about


# -- broken templates ------------------------------------------------------------------------

_FUNCTION = f"""\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.record
      CodeUri: {HANDLERS}
"""

BROKEN = {
    "ref_unknown": ("Resources:\n  Q: {Type: AWS::SQS::Queue}\n" + _FUNCTION
                    + "      Environment: {Variables: {Q: !Ref Qu}}\n",
                    ":9: Resources.Fn.Properties.Environment.Variables.Q.Ref: no parameter, "
                    "pseudo parameter or resource Qu in the template (did you mean Q?)"),
    "getatt_unknown_attribute": ("Resources:\n  Q: {Type: AWS::SQS::Queue}\n" + _FUNCTION
                                 + "      Environment: {Variables: {Q: !GetAtt Q.Nope}}\n",
                                 ":9: Resources.Fn.Properties.Environment.Variables.Q.Fn::GetAtt:"
                                 " AWS::SQS::Queue Q has no attribute Nope"),
    "sub_unknown": ("Resources:\n" + _FUNCTION
                    + "      Environment: {Variables: {Q: !Sub '${Missing}-x'}}\n",
                    ":8: Resources.Fn.Properties.Environment.Variables.Q.Fn::Sub: no parameter, "
                    "pseudo parameter or resource Missing"),
    "s3_bucket_not_in_template": (
        "Resources:\n" + _FUNCTION + "      Events:\n        Up:\n          Type: S3\n"
        "          Properties: {Bucket: elsewhere, Events: 's3:ObjectCreated:*'}\n",
        ":11: Resources.Fn.Properties.Events.Up.Properties.Bucket: 'elsewhere' is not a bucket of "
        "this template"),
    "sqs_queue_by_url": (
        "Resources:\n  Q: {Type: AWS::SQS::Queue}\n" + _FUNCTION
        + "      Events:\n        Work:\n          Type: SQS\n"
        "          Properties:\n            Queue: !Ref Q\n",
        ":13: Resources.Fn.Properties.Events.Work.Properties.Queue: 'http://sqs.us-east-1."
        "localhost:4566/000000000000/Q' is not the ARN of a queue of this template"),
    "table_without_stream": (
        "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
        "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n" + _FUNCTION
        + "      Events:\n        Changes:\n          Type: DynamoDB\n          Properties:\n"
        "            Stream: !GetAtt T.StreamArn\n            StartingPosition: LATEST\n",
        ":17: Resources.Fn.Properties.Events.Changes.Properties.Stream: table eventsim-T has "
        "no stream (give it a StreamSpecification)"),
    "property_typo": ("Resources:\n" + _FUNCTION + "      Timout: 5\n",
                      ":8: Resources.Fn.Properties.Timout: not a property of "
                      "AWS::Serverless::Function; did you mean Timeout?"),
    "wrong_type": ("Resources:\n" + _FUNCTION + "      Timeout: soon\n",
                   ":8: Resources.Fn.Properties.Timeout: Input should be a valid integer"),
    "global_wrong_type": ("Globals:\n  Function:\n    MemorySize: 64\nResources:\n" + _FUNCTION,
                          ":3: Globals.Function.MemorySize: Input should be greater than or "
                          "equal to 128"),
    "missing_code": ("Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                     "      Runtime: python3.12\n      Handler: app.record\n      CodeUri: nope/\n",
                     ":7: Resources.Fn.Properties.CodeUri: no directory nope/ next to the "
                     "template"),
    "missing_module": ("Resources:\n" + _FUNCTION.replace("app.record", "missing.handler"),
                       ":6: Resources.Fn.Properties.Handler: no module missing.py"),
    "unknown_event_type": ("Resources:\n" + _FUNCTION
                           + "      Events:\n        E: {Type: Carrier, Properties: {}}\n",
                           ":9: Resources.Fn.Properties.Events.E.Type: 'Carrier' is not an event "
                           "type eventsim knows"),
    "bad_event_property": (
        "Resources:\n  Q: {Type: AWS::SQS::Queue}\n" + _FUNCTION
        + "      Events:\n        Work:\n          Type: SQS\n          Properties:\n"
        "            Queue: !GetAtt Q.Arn\n            BatchSise: 3\n",
        ":14: Resources.Fn.Properties.Events.Work.Properties.BatchSise: not a property of a SQS "
        "event; did you mean BatchSize?"),
    "bad_yaml": ("Resources:\n  Fn: [unclosed\n", ":3: invalid YAML"),
    "unknown_tag": ("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
                    "    Properties: {QueueName: !Magic x}\n",
                    ":4: invalid YAML: !Magic is not a CloudFormation intrinsic function"),
    "unknown_section": ("Resource:\n  Q: {Type: AWS::SQS::Queue}\n",
                        ":1: Resource: not a template section (did you mean Resources?)"),
    "no_resources": ("Description: nothing\n", "Resources: a template needs a Resources"),
    "parameter_without_default": ("Parameters:\n  Stage: {Type: String}\nResources:\n"
                                  "  Q: {Type: AWS::SQS::Queue}\n",
                                  ":2: Parameters.Stage: no Default and no --parameter-overrides"),
    "condition_unknown": ("Resources:\n  Q: {Type: AWS::SQS::Queue, Condition: Never}\n",
                          ":2: Resources.Q.Condition: no condition Never in Conditions"),
    "find_in_map_missing": ("Mappings:\n  M: {a: {b: 1}}\nResources:\n  Q:\n"
                            "    Type: AWS::SQS::Queue\n"
                            "    Properties: {VisibilityTimeout: !FindInMap [M, a, c]}\n",
                            ":6: Resources.Q.Properties.VisibilityTimeout.Fn::FindInMap: no key c "
                            "in Mappings.M.a"),
    "esm_unknown_function": ("Resources:\n  Q: {Type: AWS::SQS::Queue}\n  M:\n"
                             "    Type: AWS::Lambda::EventSourceMapping\n"
                             "    Properties: {FunctionName: nobody, EventSourceArn: !GetAtt Q.Arn}"
                             "\n", ":5: Resources.M.Properties.FunctionName: 'nobody' is not a "
                             "function of this template"),
    "redrive_to_unknown_queue": (
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n"
        "        deadLetterTargetArn: arn:aws:sqs:us-east-1:000000000000:gone\n"
        "        maxReceiveCount: 2\n",
        ":6: Resources.Q.Properties.RedrivePolicy.deadLetterTargetArn: "
        "'arn:aws:sqs:us-east-1:000000000000:gone' is not the ARN of a queue of this template"),
    "duplicate_key": ("Resources:\n  Q: {Type: AWS::SQS::Queue}\n  Q: {Type: AWS::SQS::Queue}\n",
                      ":3: Resources.Q: duplicate key (first at line 2)"),
    "name_cycle": ("Resources:\n  A:\n    Type: AWS::SQS::Queue\n"
                   "    Properties: {QueueName: !GetAtt B.QueueName}\n  B:\n"
                   "    Type: AWS::SQS::Queue\n"
                   "    Properties: {QueueName: !Sub '${A.QueueName}'}\n",
                   ":4: Resources.A.Properties.QueueName: the name of A depends on itself"),
    "bad_bucket_name": ("Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
                        "    Properties: {BucketName: Not_Valid}\n",
                        ":4: Resources.B.Properties.BucketName: 'Not_Valid' is not a valid bucket "
                        "name"),
    "runtime_unsupported": ("Resources:\n" + _FUNCTION.replace("python3.12", "java21"),
                            ":5: Resources.Fn.Properties.Runtime: eventsim runs python and "
                            "nodejs runtimes, not java21"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_template_exits_2_naming_file_line_and_field(
        case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, expected = BROKEN[case]
    path = tmp_path / "template.yaml"
    path.write_text(text)
    assert main(["run", "--template", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}{expected}" in err or (expected in err and str(path) in err), err
    assert "Traceback" not in err


# -- CloudFormation's own spellings ----------------------------------------------------------

CLOUDFORMATION = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "Inbox": {"Type": "AWS::S3::Bucket", "Properties": {"NotificationConfiguration": {
            "LambdaConfigurations": [{
                "Event": "s3:ObjectCreated:*", "Function": {"Fn::GetAtt": ["Worker", "Arn"]},
                "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "in/"}]}}}]}}},
        "News": {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [
            {"Protocol": "sqs", "Endpoint": {"Fn::GetAtt": ["Copies", "Arn"]}}]}},
        "NewsToWorker": {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": {"Ref": "News"}, "Protocol": "lambda",
            "Endpoint": {"Fn::GetAtt": "Worker.Arn"},
            "FilterPolicy": '{"kind": ["urgent"]}'}},
        "Copies": {"Type": "AWS::SQS::Queue"},
        "Tasks": {"Type": "AWS::SQS::Queue",
                  "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-tasks.fifo"},
                                 "FifoQueue": True, "ContentBasedDeduplication": True}},
        "Failed": {"Type": "AWS::SQS::Queue"},
        "TasksMapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "FunctionName": {"Ref": "Worker"}, "EventSourceArn": {"Fn::GetAtt": "Tasks.Arn"},
            "BatchSize": 1}},
        "InvokePermission": {"Type": "AWS::Lambda::Permission", "Properties": {
            "Action": "lambda:InvokeFunction", "FunctionName": {"Ref": "Worker"},
            "Principal": "s3.amazonaws.com"}},
        "Worker": {"Type": "AWS::Serverless::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.record", "CodeUri": str(HANDLERS),
            "DeadLetterQueue": {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["Failed", "Arn"]}},
            "EventInvokeConfig": {"MaximumRetryAttempts": 0, "DestinationConfig": {
                "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": "Failed.Arn"}}}}}},
    },
}


@pytest.mark.asyncio
async def test_cloudformation_resources_wire_like_sam_events(tmp_path: Path) -> None:
    path = tmp_path / "template.json"  # JSON is YAML: long forms only
    path.write_text(json.dumps(CLOUDFORMATION, indent=2))
    loaded = load_template(path, stack_name="shop")
    assert loaded.warnings == []
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await apply_resources(sim, loaded.scenario)
        worker = await sim.functions.get_function("Worker")
        assert (worker.maximum_retry_attempts, worker.on_failure, worker.dead_letter_target) == (
            0, "arn:aws:sqs:us-east-1:000000000000:Failed",
            "arn:aws:sqs:us-east-1:000000000000:Failed")
        await sim.s3.put_object(bucket="inbox", key="in/a.txt", body=b"a")
        await sim.s3.put_object(bucket="inbox", key="out/b.txt", body=b"b")
        topic = "arn:aws:sns:us-east-1:000000000000:News"
        await sim.sns.publish(topic_arn=topic, message="now", message_attributes={
            "kind": {"DataType": "String", "StringValue": "urgent"}})
        await sim.sns.publish(topic_arn=topic, message="later")
        await sim.sqs.send_message(queue_url=sim.sqs.url_of("shop-tasks.fifo"),
                                   message_body="task", message_group_id="g")
        await sim.settle()
        events = await _events(sim, "Worker")
        sources = sorted(e["Records"][0].get("eventSource") or e["Records"][0]["EventSource"]
                         for e in events)
        assert sources == ["aws:s3", "aws:sns", "aws:sqs"]
        [s3] = [e for e in events if e["Records"][0].get("eventSource") == "aws:s3"]
        assert s3["Records"][0]["s3"]["object"]["key"] == "in/a.txt"
        [sns] = [e for e in events if e["Records"][0].get("EventSource") == "aws:sns"]
        assert sns["Records"][0]["Sns"]["Message"] == "now"
        copies = await sim.sqs.receive_message(queue_url=sim.sqs.url_of("Copies"),
                                               max_number_of_messages=10)
        assert len(copies["Messages"]) == 2  # the topic's inline sqs Subscription, unfiltered


def test_stream_arn_outside_an_event_source_warns(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(f"""\
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{{AttributeName: id, KeyType: HASH}}]
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}}]
      StreamSpecification: {{StreamViewType: KEYS_ONLY}}
{_FUNCTION}      Environment:
        Variables:
          STREAM: !GetAtt T.StreamArn
          LATER: 1
      NewThing: true
""")
    loaded = load_template(path)
    assert loaded.scenario.functions["Fn"].environment.variables == {
        "STREAM": "arn:aws:dynamodb:us-east-1:000000000000:table/eventsim-T/stream/*", "LATER": "1"}
    assert loaded.warnings == [
        f"{path}:16: Resources.Fn.Properties.Environment.Variables.STREAM.Fn::GetAtt: a table's "
        "StreamArn is known only once the table exists; here it ends in /stream/* (an event "
        "source naming it gets the real one)",
        f"{path}:18: Resources.Fn.Properties.NewThing: not a property of "
        "AWS::Serverless::Function that eventsim knows; ignored"]


def test_serve_wires_a_template_for_boto3(tmp_path: Path) -> None:
    import os
    import signal
    import socket
    import subprocess
    import sys
    import urllib.request

    from eventsim.testing import boto3_client

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "eventsim", "serve", "--port", str(port), "--runtime", "inline",
         "--template", str(TEMPLATE), "--parameter-overrides", "Stage=prod"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        assert "loaded 1 bucket(s) and 5 function(s)" in lines[0], lines
        url = f"http://127.0.0.1:{port}"
        sqs = boto3_client("sqs", url)
        queue = sqs.get_queue_url(QueueName="Jobs")["QueueUrl"]
        sqs.send_message(QueueUrl=queue, MessageBody="from boto3")
        settle = urllib.request.Request(f"{url}/_eventsim/api/settle", data=b"", method="POST")
        with urllib.request.urlopen(settle, timeout=60):
            pass
        with urllib.request.urlopen(
                f"{url}/_eventsim/api/invocations?function=JobFunction&detail=full",
                timeout=60) as response:
            [invocation] = json.load(response)["items"]
        assert invocation["event"]["Records"][0]["body"] == "from boto3"
        assert '"stage": "prod"' in invocation["logs"]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise
    assert proc.returncode == 0, err
    assert "template.yaml: 1 bucket, 1 topic, 3 queues" in err


def test_conditions_ignore_globals_and_ssm_parameters(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(f"""\
Parameters:
  Stage: {{Type: String, Default: dev}}
  Secret: {{Type: "AWS::SSM::Parameter::Value<String>", Default: /app/secret}}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Globals:
  Function:
    Timeout: 20
    Environment: {{Variables: {{SECRET: !Ref Secret}}}}
Resources:
  ProdOnly:
    Type: AWS::SQS::Queue
    Condition: IsProd
{_FUNCTION}    IgnoreGlobals: [Timeout]
  Plain:
    Type: AWS::Serverless::Function
    IgnoreGlobals: "*"
    Properties:
      Runtime: python3.12
      Handler: app.record
      CodeUri: {HANDLERS}
""")
    loaded = load_template(path)
    assert loaded.scenario.resources.queues == []  # IsProd is false
    fn, plain = loaded.scenario.functions["Fn"], loaded.scenario.functions["Plain"]
    assert (fn.timeout, fn.environment.variables) == (3, {"SECRET": "/app/secret"})
    assert (plain.timeout, plain.environment.variables) == (3, {})
    assert loaded.warnings == [
        f"{path}:3: Parameters.Secret.Type: eventsim has no Parameter Store, so Secret is "
        "'/app/secret' itself, not the value stored under that name"]
    prod = load_template(path, parameters={"Stage": "prod"})
    assert [q.name for q in prod.scenario.resources.queues] == ["ProdOnly"]


def test_a_reference_to_a_resource_whose_condition_is_false_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(f"""\
Conditions:
  Never: !Equals [a, b]
Resources:
  Q: {{Type: AWS::SQS::Queue, Condition: Never}}
{_FUNCTION}      Environment: {{Variables: {{Q: !GetAtt Q.Arn}}}}
""")
    with pytest.raises(ConfigError) as caught:
        load_template(path)
    assert str(caught.value) == (
        f"{path}:11: Resources.Fn.Properties.Environment.Variables.Q.Fn::GetAtt: Q is not "
        "created: its Condition Never is false")


@pytest.mark.asyncio
async def test_a_scenario_function_takes_events_from_a_template_resource(tmp_path: Path) -> None:
    path = tmp_path / "extra.yaml"
    path.write_text(f"""\
name: one more consumer
clock: virtual
functions:
  Auditor:
    Handler: app.record
    CodeUri: {HANDLERS}
    Events:
      Uploads: {{Type: S3, Properties: {{Bucket: Uploads, Events: 's3:ObjectRemoved:*'}}}}
      Orders:
        Type: DynamoDB
        Properties: {{Stream: !Ref Orders, StartingPosition: TRIM_HORIZON}}
steps:
  - put_object: {{bucket: Uploads, key: a.jpg, text: a}}
  - delete_object: {{bucket: Uploads, key: a.jpg}}
  - put_item: {{table: Orders, item: {{id: o-9}}}}
expect:
  - invocations: {{function: Auditor, count: 2, status: Success}}
  - invocations: {{function: UploadFunction, count: 1}}
  - invocations: {{function: OrderFunction, count: 1}}
""")
    report = await run_scenario(load_template(TEMPLATE).with_scenario(path))
    assert report.passed, report.render()


_INDEXED = """\
Resources:
  Docs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: versioned-docs
      VersioningConfiguration: {Status: Enabled}
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      BillingMode: PROVISIONED
      ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}
      AttributeDefinitions:
        - {AttributeName: id, AttributeType: S}
        - {AttributeName: customer, AttributeType: S}
        - {AttributeName: placed, AttributeType: N}
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      GlobalSecondaryIndexes:
        - IndexName: by-customer
          KeySchema:
            - {AttributeName: customer, KeyType: HASH}
            - {AttributeName: placed, KeyType: RANGE}
          Projection: {ProjectionType: ALL}
          ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}
      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
"""


@pytest.mark.asyncio
async def test_versioning_indexes_and_time_to_live_are_built(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(_INDEXED)
    loaded = load_template(path)
    assert loaded.warnings == []
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await apply_resources(sim, loaded.scenario)
        assert await sim.s3.get_bucket_versioning(bucket="versioned-docs") == {
            "Status": "Enabled"}
        for n, customer in enumerate(("ada", "bob", "ada")):
            await sim.dynamodb.put_item(table_name="orders", item={
                "id": {"S": f"o-{n}"}, "customer": {"S": customer},
                "placed": {"N": str(n)}})
        found = await sim.dynamodb.query(
            table_name="orders", index_name="by-customer",
            key_condition_expression="customer = :c",
            expression_attribute_values={":c": {"S": "ada"}})
        assert [item["id"]["S"] for item in found["Items"]] == ["o-0", "o-2"]
        ttl = await sim.dynamodb.describe_time_to_live(table_name="orders")
        assert ttl["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED",
                                                "AttributeName": "expires"}


_LAYERED = f"""\
Transform: AWS::Serverless-2016-10-31
Resources:
  Greetings:
    Type: AWS::Serverless::LayerVersion
    Properties:
      LayerName: greetings
      ContentUri: {SAM / "layers" / "greetings"}
      CompatibleRuntimes: [python3.12]
  Greeter:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.layered
      CodeUri: {HANDLERS}
      Layers:
        - !Ref Greetings
        - arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7
"""


@pytest.mark.asyncio
async def test_a_template_layer_is_on_its_functions_import_path(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(_LAYERED)
    loaded = load_template(path)
    # Another account's layer cannot be fetched: said, with its line, and left out.
    [warning] = loaded.warnings
    assert ":17: Resources.Greeter.Properties.Layers" in warning
    assert "cannot fetch layer arn:aws:lambda:us-east-1:017000801446" in warning
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await apply_resources(sim, loaded.scenario)
        record = await sim.functions.invoke("Greeter", {})
        assert record is not None and record.response == "hello from the layer", record.error
        [layer] = sim.functions.layer_versions("greetings")
        assert (await sim.functions.get_function("Greeter")).layers == [layer.arn]
        # Applied again on the same state, the layer is not published again.
        await apply_resources(sim, loaded.scenario)
        assert len(sim.functions.layer_versions("greetings")) == 1
