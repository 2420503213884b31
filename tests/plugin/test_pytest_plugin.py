"""The pytest plugin's fixtures, exercised the way users write tests (through pytester)."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]

HANDLER = '''
import json

def handler(event, context):
    record = event["Records"][0]
    print("got", record["s3"]["object"]["key"], context.function_name)
    return {"key": record["s3"]["object"]["key"]}
'''


@pytest.fixture(autouse=True)
def _ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def _write_handler(pytester: pytest.Pytester) -> None:
    code = pytester.path / "handlers"
    code.mkdir()
    (code / "app.py").write_text(HANDLER)


def test_eventsim_fixture_runs_a_handler_triggered_through_boto3(
    pytester: pytest.Pytester,
) -> None:
    _write_handler(pytester)
    pytester.makepyfile(textwrap.dedent('''
        from pathlib import Path

        def test_upload_invokes_the_function(eventsim, eventsim_boto3):
            fn = eventsim.functions.create_function(
                name="on-upload", handler="app.handler",
                code_dir=Path(__file__).parent / "handlers")
            s3 = eventsim_boto3("s3")
            s3.create_bucket(Bucket="uploads")
            s3.put_bucket_notification_configuration(
                Bucket="uploads",
                NotificationConfiguration={"LambdaFunctionConfigurations": [
                    {"LambdaFunctionArn": fn.arn, "Events": ["s3:ObjectCreated:*"]}]})
            s3.put_object(Bucket="uploads", Key="cat one.jpg", Body=b"meow")
            eventsim.settle()
            [invocation] = eventsim.invocations.list(function="on-upload")
            assert invocation.status == "Success"
            assert invocation.response == {"key": "cat+one.jpg"}
            assert "got cat+one.jpg on-upload" in invocation.logs
    '''))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_each_test_gets_a_fresh_simulator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(textwrap.dedent('''
        def test_first_creates_a_bucket(eventsim_boto3):
            eventsim_boto3("s3").create_bucket(Bucket="only-here")

        def test_second_does_not_see_it(eventsim_boto3):
            assert eventsim_boto3("s3").list_buckets()["Buckets"] == []
    '''))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_service_client_fixtures_point_at_the_simulator(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(textwrap.dedent('''
        SERVICES = ("s3", "sns", "sqs", "dynamodb", "dynamodbstreams", "kinesis", "lambda")

        def test_clients(eventsim, request):
            for service in SERVICES:
                client = request.getfixturevalue(f"eventsim_{service}")
                assert client.meta.service_model.service_name == service
                assert client.meta.endpoint_url == eventsim.url

        def test_s3_client_works(eventsim_s3):
            eventsim_s3.create_bucket(Bucket="made-by-fixture")
            assert [b["Name"] for b in eventsim_s3.list_buckets()["Buckets"]] == [
                "made-by-fixture"]
    '''))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_eventsim_factory_builds_simulators_with_their_own_settings(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(textwrap.dedent('''
        def test_two_regions(eventsim_factory):
            east, west = eventsim_factory(), eventsim_factory(region="eu-west-1")
            assert east.url != west.url
            assert west.client("s3").meta.region_name == "eu-west-1"
            west.client("s3").create_bucket(
                Bucket="west-only",
                CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
            assert east.client("s3").list_buckets()["Buckets"] == []
    '''))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_clock_option_gives_the_fixture_a_virtual_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(textwrap.dedent('''
        from eventsim import VirtualClock

        def test_clock(eventsim):
            assert isinstance(eventsim.clock, VirtualClock)
    '''))
    pytester.runpytest("-p", "no:cacheprovider", "--eventsim-clock", "virtual").assert_outcomes(
        passed=1)


def test_lambda_context_fixture_behaves_like_lambdas(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(textwrap.dedent('''
        def test_context(lambda_context):
            assert lambda_context.function_name == "test"
            # A string, as the Python runtime reads it from AWS_LAMBDA_FUNCTION_MEMORY_SIZE.
            assert lambda_context.memory_limit_in_mb == "128"
            assert lambda_context.invoked_function_arn.endswith(":function:test")
            assert 0 < lambda_context.get_remaining_time_in_millis() <= 300_000
            assert len(lambda_context.aws_request_id) == 36
    '''))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def _readme_examples() -> list[str]:
    """Every ```python block of the README's pytest section, dedented."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## pytest\n"):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"^( *)```python\n(.*?)^\1```", section, flags=re.S | re.M)
    return [textwrap.dedent(code) for _, code in blocks]


def test_every_readme_pytest_example_passes(pytester: pytest.Pytester) -> None:
    """The README's example tests, as written there, run against the shipped fixtures."""
    examples = _readme_examples()
    assert len(examples) >= 6
    shutil.copytree(REPO / "fixtures", pytester.path / "fixtures")
    shutil.copytree(REPO / "scenarios", pytester.path / "scenarios")
    for index, example in enumerate(examples):
        pytester.makepyfile(**{f"test_readme_{index}": example})
    tests = sum(len(re.findall(r"^(?:async )?def test_", example, flags=re.M))
                for example in examples)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=tests)


def test_threaded_simulator_offers_every_service_handle_blocking(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(textwrap.dedent('''
        def test_handles(eventsim):
            eventsim.s3.create_bucket(bucket="handles")
            assert eventsim.sqs.create_queue(queue_name="q")["QueueUrl"].endswith("/q")
            assert eventsim.sns.create_topic(name="t")["TopicArn"].endswith(":t")
            eventsim.kinesis.create_stream(stream_name="s", shard_count=1)
            eventsim.dynamodb.create_table(
                table_name="pets", billing_mode="PAY_PER_REQUEST",
                key_schema=[{"AttributeName": "id", "KeyType": "HASH"}],
                attribute_definitions=[{"AttributeName": "id", "AttributeType": "S"}])
            assert eventsim.dynamodbstreams.list_streams()["Streams"] == []
    '''))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_eventsim_marker_configures_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(textwrap.dedent('''
        import pytest
        from eventsim import VirtualClock

        @pytest.mark.eventsim(clock="virtual", region="eu-west-1")
        def test_configured(eventsim):
            assert isinstance(eventsim.clock, VirtualClock)
            assert eventsim.client("sqs").meta.region_name == "eu-west-1"
    '''))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_bad_fixture_settings_fail_the_test_with_a_message_not_a_traceback(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(textwrap.dedent('''
        import pytest

        @pytest.mark.eventsim(clok="virtual")
        def test_typo(eventsim):
            pass

        @pytest.mark.eventsim(clock="real")
        def test_clock_conflict(eventsim_clock):
            pass
    '''))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        "*eventsim: bad simulator settings {'clok': 'virtual', 'clock': 'real'}: clok: Extra "
        "inputs are not permitted*",
        "*eventsim_clock needs a virtual clock, but the eventsim marker asks for clock='real'*",
    ])
    result.stdout.no_fnmatch_line("*Traceback*")


SCENARIO = '''
name: uploads
resources:
  buckets: [uploads, receipts]
functions:
  on-upload:
    Handler: app.handler
    CodeUri: handlers
    Events:
      upload: {Type: S3, Properties: {Bucket: uploads, Events: "s3:ObjectCreated:*"}}
steps:
  - put_object: {bucket: uploads, key: cat.jpg, body: meow}
expect:
  - invocations: {function: on-upload, count: 1, status: Success}
'''


def test_scenario_marker_loads_resources_and_optionally_runs_steps(
    pytester: pytest.Pytester,
) -> None:
    _write_handler(pytester)
    pytester.path.joinpath("uploads.yaml").write_text(SCENARIO)
    pytester.makepyfile(textwrap.dedent('''
        import pytest

        @pytest.mark.eventsim_scenario("uploads.yaml")
        def test_resources_only(eventsim, eventsim_s3):
            assert {b["Name"] for b in eventsim_s3.list_buckets()["Buckets"]} == {
                "uploads", "receipts"}
            eventsim.assert_not_invoked("on-upload")
            eventsim_s3.put_object(Bucket="uploads", Key="dog.jpg", Body=b"woof")
            eventsim.settle()
            eventsim.assert_invoked("on-upload", count=1, event={
                "Records": [{"s3": {"object": {"key": "dog.jpg"}}}]})
            eventsim.check_scenario()

        @pytest.mark.eventsim_scenario("uploads.yaml", steps=True)
        def test_with_steps(eventsim):
            eventsim.check_scenario()
            assert eventsim.scenario.name == "uploads"
    '''))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_scenario_marker_problems_name_the_file(pytester: pytest.Pytester) -> None:
    pytester.path.joinpath("broken.yaml").write_text(
        "name: broken\nresources:\n  buckets: [uploads]\n  tables: 7\n")
    pytester.makepyfile(textwrap.dedent('''
        import pytest

        @pytest.mark.eventsim_scenario("missing.yaml")
        def test_missing(eventsim):
            pass

        @pytest.mark.eventsim_scenario("broken.yaml")
        def test_broken(eventsim):
            pass
    '''))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([
        "*eventsim_scenario: no file 'missing.yaml' beside test_scenario_marker_problems_name_the_"
        "file.py*",
        "*eventsim_scenario: *broken.yaml:4*tables*",
    ])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_shared_simulator_serves_every_test_and_scopes_their_assertions(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(textwrap.dedent('''
        import pytest

        URLS = []

        def test_first(eventsim_shared):
            URLS.append(eventsim_shared.url)
            eventsim_shared.define_function("echo", lambda event, context: event)
            eventsim_shared.client("lambda").invoke(FunctionName="echo", Payload=b"{}")
            eventsim_shared.assert_invoked("echo", count=1)

        def test_second_sees_the_function_but_not_the_first_tests_invocations(eventsim_shared):
            assert URLS == [eventsim_shared.url]
            eventsim_shared.assert_not_invoked("echo")
            eventsim_shared.client("lambda").invoke(FunctionName="echo", Payload=b"{}")
            eventsim_shared.assert_invoked("echo", count=1)

        @pytest.mark.asyncio
        async def test_async_tests_share_it_through_aio(eventsim_shared):
            assert URLS == [eventsim_shared.url]
            shared = eventsim_shared.aio
            await shared.assert_not_invoked("echo")
            await shared.functions.invoke("echo", {"n": 1})
            await shared.assert_invoked("echo", count=1, event={"n": 1})

        def test_reset_starts_over(eventsim_session):
            eventsim_session.reset()
            assert eventsim_session.client("lambda").list_functions()["Functions"] == []
    '''))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)
