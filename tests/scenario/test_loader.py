"""Reading scenario files: good ones load, bad ones say file:line: field: reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsim.errors import ConfigError
from eventsim.scenario import load_scenario, parse_scenario
from eventsim.scenario.model import InvokeStep, PutObjectStep, SettleStep

HERE = Path(__file__).parent
BROKEN = HERE / "broken"
REPO = HERE.parent.parent


@pytest.mark.parametrize(
    ("name", "line", "field", "reason"),
    [
        pytest.param("wrong_type", 8, "functions.make-thumbnail.Timeout",
                     "Input should be a valid integer", id="wrong-type"),
        pytest.param("unknown_field", 6, "functions.echo.Timout",
                     "unknown field; did you mean Timeout?", id="unknown-field"),
        pytest.param("missing_field", 3, "functions.echo.Handler", "field required",
                     id="missing-field"),
        pytest.param("missing_bucket", 12, "functions.echo.Events.upload.Properties.Bucket",
                     "no bucket photos in resources.buckets", id="missing-bucket"),
        pytest.param("unknown_function", 9, "expect[0].invocations.function",
                     "no function ecco (known: echo)", id="unknown-function"),
        pytest.param("unknown_step", 6, "steps[1]", "found put_objekt", id="unknown-step"),
        pytest.param("missing_file", 8, "steps[0].put_object.file",
                     "no file images/no-such-cat.jpg", id="missing-file"),
        pytest.param("missing_code", 5, "functions.echo.CodeUri", "no directory functions/nowhere",
                     id="missing-code"),
        pytest.param("missing_handler_module", 4, "functions.echo.Handler",
                     "no module handlers/echo.py", id="missing-handler-module"),
        pytest.param("bad_event_type", 13, "functions.echo.Events.upload.Properties.Events",
                     "'s3:ObjectCreate:Put' is not an S3 event type", id="bad-event-type"),
        pytest.param("two_sources", 5, "steps[0].put_object",
                     "give exactly one of file, text or body", id="two-sources"),
        pytest.param("duplicate_key", 7, "functions.echo.Timeout",
                     "duplicate key (first at line 6)", id="duplicate-key"),
        # resources, events, steps and expectations of every service
        pytest.param("subscription_unknown_queue", 7,
                     "resources.topics[0].subscriptions[0].Endpoint",
                     "no queue biling in resources.queues (known: billing)",
                     id="subscription-unknown-queue"),
        pytest.param("subscription_unknown_field", 9,
                     "resources.topics[0].subscriptions[0].Filterpolicy",
                     "unknown field; did you mean FilterPolicy?", id="subscription-unknown-field"),
        pytest.param("subscription_bad_protocol", 6,
                     "resources.topics[0].subscriptions[0].Protocol",
                     "Input should be 'sqs', 'lambda', 'http' or 'https'",
                     id="subscription-bad-protocol"),
        pytest.param("table_bad_key_type", 6, "resources.tables[0].KeySchema[0].KeyType",
                     "Input should be 'HASH' or 'RANGE'", id="table-bad-key-type"),
        pytest.param("table_undefined_key", 4, "resources.tables[0]",
                     "key attribute id is not in AttributeDefinitions", id="table-undefined-key"),
        pytest.param("dynamodb_event_no_stream", 15,
                     "functions.echo.Events.changes.Properties.Stream",
                     "table orders has no stream", id="dynamodb-event-no-stream"),
        pytest.param("sns_event_unknown_topic", 12,
                     "functions.echo.Events.orders.Properties.Topic",
                     "no topic order in resources.topics (known: orders)",
                     id="sns-event-unknown-topic"),
        pytest.param("publish_unknown_topic", 6, "steps[1].publish.topic",
                     "no topic nope in resources.topics", id="publish-unknown-topic"),
        pytest.param("publish_missing_message", 5, "steps[0].publish.message", "field required",
                     id="publish-missing-message"),
        pytest.param("records_from_missing_file", 6, "steps[0].records_from.file",
                     "no file no-such-clicks.jsonl", id="records-from-missing-file"),
        pytest.param("records_from_two_targets", 6, "steps[0].records_from",
                     "give exactly one of stream, queue or table", id="records-from-two-targets"),
        pytest.param("item_unknown_table", 8, "expect[0].item.table",
                     "no table order in resources.tables (known: orders)",
                     id="item-unknown-table"),
        pytest.param("queue_count_wrong_type", 5, "expect[0].queue.count",
                     "Input should be a valid integer", id="queue-count-wrong-type"),
        pytest.param("dlq_unknown_queue", 8, "functions.echo.DeadLetterQueue.TargetArn",
                     "no queue ded in resources.queues (known: dead)", id="dlq-unknown-queue"),
        pytest.param("on_failure_unknown_queue", 15,
                     "functions.echo.Events.clicks.Properties.DestinationConfig.OnFailure"
                     ".Destination", "no queue failures in resources.queues",
                     id="on-failure-unknown-queue"),
        pytest.param("redrive_unknown_queue", 5,
                     "resources.queues[0].RedrivePolicy.deadLetterTargetArn",
                     "no queue jobs-dlq in resources.queues (known: jobs)",
                     id="redrive-unknown-queue"),
        pytest.param("put_item_unknown_step_field", 8, "steps[0].put_item.item",
                     "field required", id="put-item-unknown-step-field"),
        pytest.param("unknown_expectation", 3, "expect[0]", "found messages",
                     id="unknown-expectation"),
        pytest.param("trace_unknown_function", 9, "expect[0].trace.chain[1]",
                     "no function ecco (known: echo)", id="trace-unknown-function"),
        # variables
        pytest.param("undefined_variable", 7, "steps[0].put_object.bucket",
                     "undefined variable ${bukket} (defined in variables: bucket); did you "
                     "mean ${bucket}?", id="undefined-variable"),
        pytest.param("unset_environment_variable", 3, "variables.prefix",
                     "environment variable EVENTSIM_TEST_SURELY_UNSET_PREFIX is not set",
                     id="unset-environment-variable"),
        pytest.param("variable_cycle", 3, "variables.a",
                     "variables refer to each other in a cycle: a -> b -> a",
                     id="variable-cycle"),
    ],
)
def test_load_scenario_names_file_line_and_field(
    name: str, line: int, field: str, reason: str
) -> None:
    path = BROKEN / f"{name}.yaml"
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    first = str(exc.value).splitlines()[0]
    assert first.startswith(f"{path}:{line}: {field}: "), first
    assert reason in first


def test_load_scenario_bad_yaml_syntax_names_the_line() -> None:
    path = BROKEN / "bad_syntax.yaml"
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    assert str(exc.value).startswith(f"{path}:4: invalid YAML: ")
    assert "started at line 3" in str(exc.value)


def test_load_scenario_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match="a scenario is a mapping, found a list"):
        load_scenario(BROKEN / "not_a_mapping.yaml")


def test_load_scenario_missing_file() -> None:
    with pytest.raises(ConfigError, match=r"no-such\.yaml: no such file"):
        load_scenario(BROKEN / "no-such.yaml")


def test_parse_scenario_reports_every_problem_on_its_own_line() -> None:
    text = """\
name: many
functions:
  echo:
    Handler: app.lambda_handler
    CodeUri: fixtures/functions/echo
    Timeout: 0
    MemorySize: lots
"""
    with pytest.raises(ConfigError) as exc:
        parse_scenario(text, source="many.yaml", base_dir=REPO)
    lines = str(exc.value).splitlines()
    assert lines[0].startswith("many.yaml:6: functions.echo.Timeout: ")
    assert lines[1].startswith("many.yaml:7: functions.echo.MemorySize: ")


def test_parse_scenario_bad_function_name() -> None:
    text = """\
name: bad-name
functions:
  make thumbnail:
    Handler: app.lambda_handler
    CodeUri: fixtures/functions/echo
"""
    with pytest.raises(ConfigError) as exc:
        parse_scenario(text, source="s.yaml", base_dir=REPO)
    assert str(exc.value) == (
        "s.yaml:3: functions.make thumbnail: a function name is 1 to 64 letters, digits, "
        "hyphens or underscores"
    )


def test_parse_scenario_bad_handler() -> None:
    text = "name: x\nfunctions:\n  f:\n    Handler: app\n    CodeUri: fixtures/functions/echo\n"
    message = r"s.yaml:4: functions.f.Handler: must be module.function"
    with pytest.raises(ConfigError, match=message):
        parse_scenario(text, source="s.yaml", base_dir=REPO)


def test_load_scenario_thumbnail_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # the repository's scenarios name fixtures/ from the repo root
    scenario = load_scenario("scenarios/thumbnail.yaml")
    fn = scenario.functions["make-thumbnail"]
    assert fn.handler == "app.lambda_handler"
    assert fn.environment.variables == {"DEST_BUCKET": "thumbnails", "WIDTH": "128"}
    event = fn.events["upload"].properties
    assert event.events == ["s3:ObjectCreated:*"]
    assert event.notification_filter() == {
        "Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}
    }
    assert scenario.resolve_path(fn.code_uri) == REPO / "fixtures" / "functions" / "thumbnail"
    assert scenario.where("functions", "make-thumbnail", "Timeout") == "scenarios/thumbnail.yaml:20"


def test_paths_resolve_against_the_scenario_directory_first(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "event.json").write_text('{"a": 1}')
    path = tmp_path / "s.yaml"
    path.write_text(
        "name: near\n"
        "functions:\n  f: {Handler: app.handler, CodeUri: code}\n"
        "steps:\n  - invoke: {function: f, event_file: event.json}\n"
    )
    scenario = load_scenario(path)
    assert scenario.resolve_path("code") == tmp_path / "code"
    assert isinstance(scenario.steps[0], InvokeStep)


def test_steps_and_expectations_are_single_key_mappings() -> None:
    text = """\
name: steps
resources: {buckets: [box]}
steps:
  - put_object: {bucket: box, key: k, body: {a: 1}}
  - settle:
  - settle: {}
  - settle
expect:
  - object: {bucket: box, key: k, text: '{"a": 1}'}
"""
    scenario = parse_scenario(text, source="s.yaml", base_dir=REPO)
    assert isinstance(scenario.steps[0], PutObjectStep)
    assert [type(s) for s in scenario.steps[1:]] == [SettleStep] * 3


def test_cloudformation_coerces_environment_values_to_strings() -> None:
    text = """\
name: env
functions:
  f:
    Handler: app.lambda_handler
    CodeUri: fixtures/functions/echo
    Environment: {Variables: {WIDTH: 128, RATIO: 0.5, DEBUG: true, NAME: x}}
"""
    scenario = parse_scenario(text, source="s.yaml", base_dir=REPO)
    assert scenario.functions["f"].environment.variables == {
        "WIDTH": "128", "RATIO": "0.5", "DEBUG": "true", "NAME": "x",
    }


def test_sam_ref_to_a_bucket_is_accepted() -> None:
    text = """\
name: ref
resources: {buckets: [uploads]}
functions:
  f:
    Handler: app.lambda_handler
    CodeUri: fixtures/functions/echo
    Events:
      e: {Type: S3, Properties: {Bucket: {Ref: uploads}, Events: [s3:ObjectRemoved:*]}}
"""
    scenario = parse_scenario(text, source="s.yaml", base_dir=REPO)
    assert scenario.functions["f"].events["e"].properties.bucket == "uploads"


def test_parse_scenario_bad_bucket_name() -> None:
    text = "name: x\nresources:\n  buckets:\n    - uploads\n    - Bad_Bucket\n"
    message = r"^s.yaml:5: resources.buckets\[1\]: 'Bad_Bucket' is not"
    with pytest.raises(ConfigError, match=message):
        parse_scenario(text, source="s.yaml", base_dir=REPO)
