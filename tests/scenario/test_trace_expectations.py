"""``trace`` expectations: what started a workflow, the chain it took, and how deep it went."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventsim.errors import ConfigError
from eventsim.scenario import ScenarioReport, parse_scenario, run_scenario

REPO = Path(__file__).parent.parent.parent

# uploads -> make-thumbnail -> thumbnails -> make-small -> small: two hops of S3 events.
TWO_HOPS = """\
name: two-hops
clock: virtual
resources:
  buckets: [uploads, thumbnails, small]
functions:
  make-thumbnail:
    Handler: app.lambda_handler
    CodeUri: fixtures/functions/thumbnail
    Timeout: 10
    Environment: {Variables: {DEST_BUCKET: thumbnails, WIDTH: 64}}
    Events:
      upload: {Type: S3, Properties: {Bucket: uploads, Events: "s3:ObjectCreated:*"}}
  make-small:
    Handler: app.lambda_handler
    CodeUri: fixtures/functions/thumbnail
    Timeout: 10
    Environment: {Variables: {DEST_BUCKET: small, WIDTH: 16}}
    Events:
      thumb: {Type: S3, Properties: {Bucket: thumbnails, Events: "s3:ObjectCreated:*"}}
steps:
  - put_object: {bucket: uploads, key: cats/cat.jpg, file: fixtures/images/cat.jpg}
  - put_object: {bucket: uploads, key: cats/kitten.jpg, file: fixtures/images/cat.jpg}
expect:
"""


async def _run(expect: str) -> ScenarioReport:
    scenario = parse_scenario(TWO_HOPS + expect, source="t.yaml", base_dir=REPO)
    return await run_scenario(scenario)


@pytest.mark.asyncio
async def test_a_chain_through_two_functions_and_their_writes_holds() -> None:
    report = await _run("""\
  - trace:
      from: {s3: {bucket: uploads, key: cats/cat.jpg, event: "ObjectCreated:*"}}
      chain: [make-thumbnail, "s3:PutObject thumbnails/cats/cat.jpg", make-small,
              "s3:PutObject small/*"]
      depth: 2
  - trace: {chain: [make-small], count: 2}
  - trace: {from: {s3: {bucket: uploads}}, max_depth: 2, count: 2}
""")
    assert report.passed, report.render()
    first = report.expectations[0]
    assert first.found == "1 of 2 traces, depth 2"
    assert first.subject == "trace from s3 ObjectCreated:* uploads/cats/cat.jpg"


@pytest.mark.asyncio
async def test_a_chain_in_the_wrong_order_says_how_far_it_got() -> None:
    report = await _run("""\
  - trace:
      from: {s3: {bucket: uploads, key: cats/cat.jpg}}
      chain: [make-small, make-thumbnail]
""")
    result = report.expectations[0]
    assert not result.ok
    assert result.problem == (
        "expected at least 1 matching trace, found 0: the trace from s3:ObjectCreated:Put "
        "uploads/cats/cat.jpg reached make-small but not make-thumbnail: it went on to "
        "s3:PutObject arn:aws:s3:::small/cats/cat.jpg")


@pytest.mark.asyncio
async def test_an_origin_that_never_happened_lists_the_origins_there_were() -> None:
    report = await _run("""\
  - trace: {from: {s3: {bucket: uploads, key: dogs/*}}, chain: [make-thumbnail]}
""")
    result = report.expectations[0]
    assert not result.ok
    assert result.problem is not None
    assert result.problem.startswith(
        "expected at least 1 matching trace, found 0: no trace started from s3 uploads/dogs/* "
        "(traces started from: s3:ObjectCreated:Put uploads/cats/")


@pytest.mark.asyncio
async def test_a_wrong_depth_says_how_deep_the_trace_went() -> None:
    report = await _run("""\
  - trace: {from: {s3: {bucket: uploads, key: cats/cat.jpg}}, depth: 1}
""")
    result = report.expectations[0]
    assert not result.ok
    assert result.problem == (
        "expected at least 1 matching trace, found 0: the trace from s3:ObjectCreated:Put "
        "uploads/cats/cat.jpg is 2 invocations deep, expected depth 1")


@pytest.mark.asyncio
async def test_too_many_matching_traces_fail_an_exact_count() -> None:
    report = await _run("  - trace: {chain: [make-thumbnail], count: 1}\n")
    result = report.expectations[0]
    assert not result.ok
    assert result.problem == "expected 1 matching trace, found 2"


@pytest.mark.asyncio
async def test_a_direct_invoke_is_an_origin() -> None:
    scenario = parse_scenario("""\
name: invoked
functions:
  echo: {Handler: app.lambda_handler, CodeUri: fixtures/functions/echo}
steps:
  - invoke: {function: echo, event: {}}
expect:
  - trace: {from: {invoke: echo}, chain: [echo], depth: 1}
""", source="t.yaml", base_dir=REPO)
    report = await run_scenario(scenario)
    assert report.passed, report.render()


@pytest.mark.parametrize(
    ("expect", "message"),
    [
        pytest.param("  - trace: {chain: [make-thumbnail, make-big]}\n",
                     "t.yaml:24: expect[0].trace.chain[1]: no function make-big (known: "
                     "make-small, make-thumbnail)", id="unknown-function-in-chain"),
        pytest.param("  - trace: {from: {s3: {bucket: photos}}}\n",
                     "t.yaml:24: expect[0].trace.from.s3.bucket: no bucket photos",
                     id="unknown-bucket-origin"),
        pytest.param("  - trace: {from: {invoke: make-small, queue: q}}\n",
                     "t.yaml:24: expect[0].trace.from: give exactly one of s3, invoke, topic",
                     id="two-origins"),
        pytest.param("  - trace: {chain: [make thumbnail]}\n",
                     "t.yaml:24: expect[0].trace.chain: 'make thumbnail' is neither a function",
                     id="step-neither-function-nor-write"),
        pytest.param("  - trace: {depth: 1, max_depth: 2}\n",
                     "t.yaml:24: expect[0].trace: give depth or max_depth, not both",
                     id="depth-and-max-depth"),
    ],
)
def test_bad_trace_expectations_name_file_line_and_field(expect: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_scenario(TWO_HOPS + expect, source="t.yaml", base_dir=REPO)
    assert str(exc.value).startswith(message), str(exc.value)


RETRIED = """\
name: retried
clock: virtual
resources:
  queues: [dlq, other]
functions:
  failing:
    Handler: app.lambda_handler
    CodeUri: fixtures/functions/failing
    DeadLetterQueue: {Type: SQS, TargetArn: dlq}
steps:
  - invoke: {function: failing, invocation_type: Event}
  - settle
expect:
"""


@pytest.mark.asyncio
async def test_an_outcome_names_where_the_event_ended_and_a_wrong_one_says_where_it_did() -> None:
    scenario = parse_scenario(RETRIED + """\
  - trace: {from: {invoke: failing}, outcome: {condition: RetriesExhausted, destination: dlq}}
  - trace: {from: {invoke: failing}, outcome: {destination: other}}
""", source="t.yaml", base_dir=REPO)
    report = await run_scenario(scenario)
    held, missed = report.expectations
    assert held.ok, held.problem
    assert not missed.ok
    assert missed.problem == (
        "expected at least 1 matching trace, found 0: the trace from lambda:Invoke failing did "
        "not end at other: it ended RetriesExhausted -> "
        "arn:aws:sqs:us-east-1:000000000000:dlq")


def test_an_outcome_destination_must_be_a_queue_topic_or_function() -> None:
    with pytest.raises(ConfigError) as exc:
        parse_scenario(RETRIED + "  - trace: {outcome: {destination: dlqq}}\n",
                       source="t.yaml", base_dir=REPO)
    assert str(exc.value).startswith(
        "t.yaml:14: expect[0].trace.outcome.destination: no queue, topic or function dlqq "
        "(known: dlq, failing, other)")
