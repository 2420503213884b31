"""Running a scenario: build its resources, run its steps, settle, check its expectations.

    report = await run_scenario("scenarios/thumbnail.yaml")
    print(report.render())

The run gets its own in-memory simulator behind a gateway on a free port, so handlers' boto3
calls (``AWS_ENDPOINT_URL``) reach it. Steps call the same service methods boto3 reaches
through the gateway. `apply_resources` is the resource half alone, which ``eventsim serve
--load`` reuses.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from eventsim.clock import VirtualClock
from eventsim.config import SimulatorConfig
from eventsim.errors import AwsError, ConfigError, EventsimError
from eventsim.scenario.expectations import check_expectation
from eventsim.scenario.loader import load_scenario
from eventsim.scenario.model import (
    AdvanceClockStep,
    DeleteObjectStep,
    InvokeStep,
    KinesisEventSpec,
    PutObjectStep,
    Scenario,
    SettleStep,
    SQSEventProperties,
    SQSEventSpec,
    Step,
    resolve_path,
)
from eventsim.scenario.report import InvocationSummary, ScenarioReport, StepResult
from eventsim.server import Server
from eventsim.services.s3.errors import BucketAlreadyOwnedByYou
from eventsim.simulator import Simulator

__all__ = ["apply_resources", "run_scenario"]


async def run_scenario(
    scenario: str | Path | Scenario,
    *,
    clock: str | None = None,
    config: SimulatorConfig | None = None,
) -> ScenarioReport:
    """Run a scenario (a file or a loaded `Scenario`) in a fresh simulator and report.

    `clock` (``real`` or ``virtual``) overrides the file's ``clock``. `config` is the base
    simulator configuration (default: in-memory, inline handlers). Raises `ConfigError` for a
    bad file; a failing step or expectation is in the report, not raised.
    """
    if not isinstance(scenario, Scenario):
        scenario = await asyncio.to_thread(load_scenario, scenario)
    kind = clock or scenario.clock
    if kind not in ("real", "virtual"):
        raise ConfigError(f"clock must be real or virtual, not {kind!r}")
    base = config or SimulatorConfig()
    report = ScenarioReport(name=scenario.name, source=scenario.source, clock=kind)
    async with Server(base.model_copy(update={"clock": kind}), port=0) as server:
        sim = server.sim
        await apply_resources(sim, scenario)
        for index, step in enumerate(scenario.steps):
            result = await _run_step(sim, scenario, index, step)
            report.steps.append(result)
            if not result.ok:
                break
        try:
            await sim.settle()
        except EventsimError as exc:
            report.error = str(exc)
        records = await sim.invocations.list()
        report.invocations = [InvocationSummary.from_record(r) for r in records]
        for index, expectation in enumerate(scenario.expect):
            where = scenario.where("expect", index, expectation.KIND)
            report.expectations.append(await check_expectation(sim, expectation, records, where))
    return report


async def apply_resources(sim: Simulator, scenario: Scenario, base_dir: Path | None = None) -> None:
    """Create the scenario's buckets, streams and functions and wire their events (S3
    notifications, Kinesis event source mappings).

    Safe to repeat on a simulator that already has them (``serve --load`` after a restart):
    functions are replaced, each bucket's notification configuration is rewritten, streams
    and mappings that exist are kept (a mapping goes on from its checkpoints). Relative
    paths resolve against `base_dir` (default: the scenario file's directory), then the cwd.
    AWS errors become `ConfigError`s that name the line.
    """
    base = base_dir or scenario.base_dir
    for index, bucket in enumerate(scenario.resources.buckets):
        try:
            await sim.s3.create_bucket(bucket=bucket)
        except BucketAlreadyOwnedByYou:
            pass  # outside us-east-1 a repeated CreateBucket says so; the bucket is there
        except AwsError as exc:
            raise _config_error(scenario, ("resources", "buckets", index), exc) from None
    for index, stream in enumerate(scenario.resources.streams):
        if sim.kinesis.stream_at(sim.kinesis.stream_arn(stream.name)) is None:
            await _aws(scenario, ("resources", "streams", index), sim.kinesis.create_stream(
                stream_name=stream.name, shard_count=stream.shards))
    for index, name in enumerate(scenario.resources.queues):
        attributes = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
        await _aws(scenario, ("resources", "queues", index), sim.sqs.create_queue(
            queue_name=name, attributes=attributes))  # idempotent with the same attributes
    notifications: dict[str, list[dict[str, Any]]] = defaultdict(list)
    origin: dict[str, tuple[str | int, ...]] = {}
    for name, spec in scenario.functions.items():
        code_dir = await asyncio.to_thread(resolve_path, spec.code_uri, base)  # stats files
        fn = await _aws(scenario, ("functions", name), sim.functions.create_function(
            name=name, handler=spec.handler, code_dir=code_dir,
            runtime=spec.runtime, timeout=spec.timeout, memory_size=spec.memory_size,
            environment=dict(spec.environment.variables),
            reserved_concurrency=spec.reserved_concurrent_executions,
            maximum_retry_attempts=spec.event_invoke_config.maximum_retry_attempts,
            maximum_event_age=spec.event_invoke_config.maximum_event_age_in_seconds,
            replace=True,
        ))
        for event_name, event in spec.events.items():
            if isinstance(event, KinesisEventSpec | SQSEventSpec):
                await _mapping(sim, scenario, fn.arn, event,
                               ("functions", name, "Events", event_name))
                continue
            props = event.properties
            configuration: dict[str, Any] = {
                "Id": event_name, "LambdaFunctionArn": fn.arn, "Events": list(props.events),
            }
            key_filter = props.notification_filter()
            if key_filter is not None:
                configuration["Filter"] = key_filter
            notifications[props.bucket].append(configuration)
            origin.setdefault(props.bucket, ("functions", name, "Events", event_name))
    for bucket, configurations in notifications.items():
        ids = [c["Id"] for c in configurations]
        for c in configurations:
            if ids.count(c["Id"]) > 1:  # S3 needs unique Ids; SAM names them itself
                c["Id"] = f"{c['LambdaFunctionArn'].rsplit(':', 1)[-1]}-{c['Id']}"
        await _aws(
            scenario, origin[bucket],
            sim.s3.put_bucket_notification_configuration(
                bucket=bucket,
                notification_configuration={"LambdaFunctionConfigurations": configurations},
            ),
        )


async def _mapping(sim: Simulator, scenario: Scenario, function_arn: str,
                   event: KinesisEventSpec | SQSEventSpec, at: tuple[str | int, ...]) -> None:
    """The event source mapping of a Kinesis or SQS event, unless it exists already."""
    props = event.properties
    if isinstance(props, SQSEventProperties):
        arn = props.queue if props.queue.startswith("arn:") else (
            f"arn:aws:sqs:{sim.config.region}:{sim.config.account_id}:{props.queue}")
    else:
        arn = props.stream if props.stream.startswith("arn:") else sim.kinesis.stream_arn(
            props.stream)
    existing = await sim.mappings.list_event_source_mappings(event_source_arn=arn,
                                                             function_name=function_arn)
    if existing["EventSourceMappings"]:
        return
    await _aws(scenario, at, sim.mappings.create_event_source_mapping(
        function_name=function_arn, event_source_arn=arn, **props.mapping_arguments()))


async def _aws(scenario: Scenario, at: tuple[str | int, ...], call: Any) -> Any:
    try:
        return await call
    except AwsError as exc:
        raise _config_error(scenario, at, exc) from None


def _config_error(scenario: Scenario, at: tuple[str | int, ...], exc: AwsError) -> ConfigError:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in at).lstrip(".")
    return ConfigError(f"{scenario.where(*at)}: {path}: {exc}")


# -- steps ------------------------------------------------------------------------------------


async def _run_step(sim: Simulator, scenario: Scenario, index: int, step: Step) -> StepResult:
    where = scenario.where("steps", index, step.KIND)
    description = step.KIND
    started = time.perf_counter()
    outcome: str | None = None
    try:
        if isinstance(step, PutObjectStep):
            body, content_type = await _object_body(step, scenario)
            description = (f"put_object {step.bucket}/{step.key} ({len(body)} bytes"
                           + (f", {content_type})" if content_type else ")"))
            await sim.s3.put_object(
                bucket=step.bucket, key=step.key, body=body, content_type=content_type
            )
        elif isinstance(step, DeleteObjectStep):
            description = f"delete_object {step.bucket}/{step.key}"
            await sim.s3.delete_object(bucket=step.bucket, key=step.key)
        elif isinstance(step, InvokeStep):
            description = f"invoke {step.function} ({step.invocation_type})"
            payload = await _payload(step, scenario)
            record = await sim.functions.invoke(
                step.function, payload, invocation_type=step.invocation_type
            )
            outcome = record.status if record is not None else "queued"
        elif isinstance(step, SettleStep):
            await sim.settle()
        elif isinstance(step, AdvanceClockStep):
            description = f"advance_clock {step.seconds:g} s"
            if isinstance(sim.clock, VirtualClock):
                sim.clock.advance(step.seconds)
                await asyncio.sleep(0)  # let what fell due start
            else:
                await sim.clock.sleep(step.seconds)
    except (EventsimError, OSError, ValueError) as exc:
        return StepResult(index=index, kind=step.KIND, description=description, ok=False,
                          where=where, error=str(exc),
                          duration_ms=(time.perf_counter() - started) * 1000)
    return StepResult(index=index, kind=step.KIND, description=description, ok=True, where=where,
                      outcome=outcome, duration_ms=(time.perf_counter() - started) * 1000)


async def _object_body(step: PutObjectStep, scenario: Scenario) -> tuple[bytes, str | None]:
    if step.file is not None:
        path = await asyncio.to_thread(scenario.resolve_path, step.file)
        body = await asyncio.to_thread(path.read_bytes)
        # As ``aws s3 cp`` does: the content type follows the file name.
        return body, step.content_type or mimetypes.guess_type(path.name)[0]
    if step.text is not None:
        return step.text.encode(), step.content_type or "text/plain"
    if isinstance(step.body, str):
        return step.body.encode(), step.content_type
    return json.dumps(step.body).encode(), step.content_type or "application/json"


async def _payload(step: InvokeStep, scenario: Scenario) -> Any:
    if step.event_file is not None:
        path = await asyncio.to_thread(scenario.resolve_path, step.event_file)
        return json.loads(await asyncio.to_thread(path.read_text, "utf-8"))
    return {} if step.event is None else step.event
