"""The scenario steps and expectations of SNS, SQS, DynamoDB and Kinesis: what they do, and
what a failing expectation says it expected and found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventsim import Simulator, SimulatorConfig
from eventsim.errors import ConfigError
from eventsim.scenario import parse_scenario, run_scenario
from eventsim.scenario.runner import apply_resources

REPO = Path(__file__).parent.parent.parent
ECHO = REPO / "fixtures/functions/echo"

RESOURCES = f"""
clock: virtual
resources:
  streams: [clicks]
  queues:
    - jobs
    - {{name: work, attributes: {{VisibilityTimeout: 5}},
       RedrivePolicy: {{deadLetterTargetArn: jobs, maxReceiveCount: 2}}}}
  topics:
    - name: news
      subscriptions:
        - {{Protocol: sqs, Endpoint: work, FilterPolicyScope: MessageBody,
           FilterPolicy: {{kind: [big]}}, RawMessageDelivery: true}}
  tables:
    - TableName: things
      KeySchema: [{{AttributeName: id, KeyType: HASH}}, {{AttributeName: n, KeyType: RANGE}}]
      AttributeDefinitions: [{{AttributeName: id, AttributeType: S}},
                             {{AttributeName: n, AttributeType: N}}]
      StreamSpecification: {{StreamViewType: KEYS_ONLY}}
functions:
  echo:
    Handler: app.lambda_handler
    CodeUri: {ECHO}
    Events:
      news:
        Type: SNS
        Properties: {{Topic: !Ref news}}
"""


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


@pytest.mark.asyncio
async def test_every_service_step_and_expectation(tmp_path: Path) -> None:
    items = _write(tmp_path, "items.jsonl", [{"id": "x", "n": i, "tags": ["a"]} for i in range(30)])
    bodies = _write(tmp_path, "bodies.jsonl", [{"job": i} for i in range(12)])
    scenario = parse_scenario("name: all\n" + RESOURCES + f"""
steps:
  - publish: {{topic: news, message: {{kind: big, id: 1}}, subject: hi}}
  - publish: {{topic: news, message: {{kind: small, id: 2}}}}
  - send_message: {{queue: jobs, message_body: plain text, delay_seconds: 0}}
  - records_from: {{file: {bodies}, queue: jobs}}
  - records_from: {{file: {items}, table: things}}
  - put_item: {{table: things, item: {{id: y, n: 1, price: 2.5, nested: {{a: [1, two]}}}}}}
  - update_item:
      table: things
      key: {{id: y, n: 1}}
      update_expression: "SET price = price + :d"
      expression_attribute_values: {{":d": 1}}
  - delete_item: {{table: things, key: {{id: x, n: 0}}}}
  - put_record: {{stream: clicks, data: one, partition_key: a}}
  - put_records: {{stream: clicks, records: [{{data: {{two: 2}}, partition_key: b}},
                                             {{data: three, partition_key: c}}]}}
expect:
  - invocations: {{function: echo, count: 2, status: Success}}
  - logs: {{function: echo, contains: '\\"kind\\": \\"big\\"', count: 1}}
  - queue: {{name: work, count: 1, body_contains: '"id": 1'}}
  - queue: {{name: jobs, count: 13}}
  - queue: {{name: jobs, body_contains: plain text, count: 1}}
  - item: {{table: things, key: {{id: y, n: 1}},
           equals: {{id: y, n: 1, price: 3.5, nested: {{a: [1, two]}}}}}}
  - item: {{table: things, key: {{id: x, n: 5}}, contains: {{tags: [a]}}}}
  - item: {{table: things, key: {{id: x, n: 0}}, exists: false}}
  - table_stream: {{table: things, count: 33}}
  - table_stream: {{table: things, event_name: REMOVE, count: 1}}
  - stream: {{name: clicks, count: 3}}
  - stream: {{name: clicks, data_contains: two, count: 1}}
""", base_dir=tmp_path)
    report = await run_scenario(scenario)
    assert report.passed, report.render()
    # Nothing was consumed by looking: the messages are still there to receive.
    assert report.expectations[3].found == "13 messages"


@pytest.mark.asyncio
async def test_failing_expectations_say_what_was_expected_and_found() -> None:
    scenario = parse_scenario(("name: fails\n" + RESOURCES + """
steps:
  - put_item: {table: things, item: {id: y, n: 1, price: 2}}
  - publish: {topic: news, message: {kind: big}}
expect:
  - item: {table: things, key: {id: y, n: 1}, equals: {id: y, n: 1, price: 3}}
  - item: {table: things, key: {id: y, n: 1}, contains: {colour: red}}
  - item: {table: things, key: {id: z, n: 1}}
  - queue: {name: work, count: 2}
  - queue: {name: work, body_contains: small}
  - stream: {name: clicks, min_count: 1}
  - table_stream: {table: things, event_name: MODIFY, count: 1}
  - logs: {function: echo, contains: nowhere}
  - order: {functions: [echo, echo2]}
""").replace("functions:\n  echo:", "functions:\n  echo2:\n    Handler: app.lambda_handler\n"
            f"    CodeUri: {ECHO}\n  echo:"))
    report = await run_scenario(scenario)
    problems = [e.problem for e in report.expectations]
    assert all(not e.ok for e in report.expectations)
    assert problems == [
        'expected the item to equal {"id": "y", "n": 1, "price": 3}, found '
        '{"id": "y", "n": 1, "price": 2}',
        'expected the item to contain {"colour": "red"}, found {"colour": "(absent)"}',
        'expected item things {"id": "z", "n": 1} to exist, found no such item',
        "expected 2 messages in queue work, found 1",
        "expected at least 1 message in queue work (body contains 'small'), found 0 of "
        "1 message; first: '{\"kind\": \"big\"}'",
        "expected at least 1 record in stream clicks, found 0",
        "expected 1 record in table_stream things (MODIFY), found 0 (1 INSERT)",
        "expected at least 1 invocation in logs of echo containing 'nowhere', found 0 of "
        "1 invocation",
        "expected echo -> echo2, found echo (echo2 never ran)",
    ]


@pytest.mark.asyncio
async def test_versioned_buckets_and_indexed_tables_with_time_to_live() -> None:
    scenario = parse_scenario("""
name: versions-and-indexes
resources:
  buckets:
    - plain
    - {name: archive, versioning: Enabled}
  tables:
    - TableName: sessions
      KeySchema: [{AttributeName: user, KeyType: HASH}, {AttributeName: started, KeyType: RANGE}]
      AttributeDefinitions:
        - {AttributeName: user, AttributeType: S}
        - {AttributeName: started, AttributeType: N}
        - {AttributeName: device, AttributeType: S}
      GlobalSecondaryIndexes:
        - {IndexName: by-device, KeySchema: [{AttributeName: device, KeyType: HASH}],
           Projection: {ProjectionType: KEYS_ONLY}}
      LocalSecondaryIndexes:
        - IndexName: by-device-local
          KeySchema: [{AttributeName: user, KeyType: HASH}, {AttributeName: device, KeyType: RANGE}]
      TimeToLiveSpecification: {AttributeName: expires}
""", source="s.yaml", base_dir=REPO)
    async with Simulator(SimulatorConfig(clock="virtual")) as sim:
        await apply_resources(sim, scenario)
        assert await sim.s3.get_bucket_versioning(bucket="plain") == {}
        assert await sim.s3.get_bucket_versioning(bucket="archive") == {"Status": "Enabled"}
        table = (await sim.dynamodb.describe_table(table_name="sessions"))["Table"]
        assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by-device"]
        assert [i["IndexName"] for i in table["LocalSecondaryIndexes"]] == ["by-device-local"]
        ttl = await sim.dynamodb.describe_time_to_live(table_name="sessions")
        assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires"


def test_an_index_on_an_undefined_attribute_names_its_line() -> None:
    with pytest.raises(ConfigError, match=r"^s.yaml:4: resources.tables\[0\]: key attribute "
                                          r"device is not in AttributeDefinitions"):
        parse_scenario("""name: x
resources:
  tables:
    - TableName: sessions
      KeySchema: [{AttributeName: user, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: user, AttributeType: S}]
      GlobalSecondaryIndexes:
        - {IndexName: by-device, KeySchema: [{AttributeName: device, KeyType: HASH}]}
""", source="s.yaml", base_dir=REPO)


@pytest.mark.asyncio
async def test_a_function_allowed_to_recurse_runs_its_chain_to_the_end() -> None:
    loop = REPO / "tests/services/lambda_/loop_handlers"
    scenario = parse_scenario(f"""
name: allowed-loop
clock: virtual
resources: {{buckets: [loop]}}
functions:
  rewrite:
    Handler: app.rewrite
    CodeUri: {loop}
    RecursiveLoop: Allow
    EventInvokeConfig: {{MaximumRetryAttempts: 0}}
    Events:
      created: {{Type: S3, Properties: {{Bucket: loop, Events: "s3:ObjectCreated:*"}}}}
steps:
  - put_object: {{bucket: loop, key: gen-0, text: go}}
expect:
  - invocations: {{function: rewrite, count: 21, status: Success}}
""", source="s.yaml", base_dir=REPO)
    report = await run_scenario(scenario)
    assert report.passed, report.render()
    assert report.loops == []


@pytest.mark.asyncio
async def test_a_scenario_layer_is_named_by_its_functions() -> None:
    layers = REPO / "tests/services/lambda_/layer_code"
    scenario = parse_scenario(f"""
name: layered
clock: virtual
resources:
  layers:
    - {{name: shared, ContentUri: {layers / "shared"}}}
functions:
  greet:
    Handler: app.handler
    CodeUri: {layers / "function"}
    Layers: [shared]
steps:
  - invoke: {{function: greet, event: {{}}}}
expect:
  - invocations: {{function: greet, count: 1, status: Success}}
""", source="s.yaml", base_dir=REPO)
    report = await run_scenario(scenario)
    # Success: the handler's module imported the layer's (without it: ImportModuleError).
    assert report.passed, report.render()
