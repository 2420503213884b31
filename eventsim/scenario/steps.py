"""Running a scenario's steps: each one is a call of a service method, as boto3 would make it
through the gateway (``publish`` is ``sim.sns.publish``, ``put_item`` is
``sim.dynamodb.put_item``...), with names resolved to ARNs and URLs and plain YAML values typed.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import time
from collections.abc import Iterator, Mapping
from typing import Any

from eventsim.clock import VirtualClock
from eventsim.errors import EventsimError
from eventsim.scenario.model import (
    AdvanceClockStep,
    DeleteItemStep,
    DeleteObjectStep,
    InvokeStep,
    PublishStep,
    PutItemStep,
    PutObjectStep,
    PutRecordsStep,
    PutRecordStep,
    RecordsFromStep,
    Scenario,
    SendMessageStep,
    SettleStep,
    Step,
    UpdateItemStep,
)
from eventsim.scenario.report import StepResult
from eventsim.scenario.resources import Names
from eventsim.scenario.values import typed_item, typed_values
from eventsim.simulator import Simulator

__all__ = ["run_step"]


class StepFailed(Exception):
    """A call answered, but not all of it succeeded (a batch entry failed)."""


async def run_step(sim: Simulator, scenario: Scenario, index: int, step: Step) -> StepResult:
    """Run one step; a failure is in the result, not raised."""
    where = scenario.where("steps", index, step.KIND)
    started = time.perf_counter()
    try:
        description, outcome = await _run(sim, scenario, step)
    except (EventsimError, OSError, ValueError, StepFailed) as exc:
        return StepResult(index=index, kind=step.KIND, description=_describe(step), ok=False,
                          where=where, error=str(exc),
                          duration_ms=(time.perf_counter() - started) * 1000)
    return StepResult(index=index, kind=step.KIND, description=description, ok=True, where=where,
                      outcome=outcome, duration_ms=(time.perf_counter() - started) * 1000)


def _describe(step: Step) -> str:
    for name in ("topic", "queue", "table", "stream", "function", "bucket"):
        value = getattr(step, name, None)
        if isinstance(value, str):
            return f"{step.KIND} {value}"
    return step.KIND


def _text(value: Any) -> str:
    """A message or record body: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


async def _run(sim: Simulator, scenario: Scenario, step: Step) -> tuple[str, str | None]:
    names = Names(sim)
    if isinstance(step, PutObjectStep):
        body, content_type = await _object_body(step, scenario)
        await sim.s3.put_object(bucket=step.bucket, key=step.key, body=body,
                                content_type=content_type)
        return (f"put_object {step.bucket}/{step.key} ({len(body)} bytes"
                + (f", {content_type})" if content_type else ")")), None
    if isinstance(step, DeleteObjectStep):
        await sim.s3.delete_object(bucket=step.bucket, key=step.key)
        return f"delete_object {step.bucket}/{step.key}", None
    if isinstance(step, PublishStep):
        out = await sim.sns.publish(
            topic_arn=names.topic_arn(step.topic), message=_text(step.message),
            subject=step.subject, message_attributes=step.message_attributes,
            message_group_id=step.message_group_id,
            message_deduplication_id=step.message_deduplication_id)
        return f"publish {step.topic}", f"MessageId {out['MessageId']}"
    if isinstance(step, SendMessageStep):
        out = await sim.sqs.send_message(
            queue_url=await names.queue_url(step.queue), message_body=_text(step.message_body),
            delay_seconds=step.delay_seconds, message_attributes=step.message_attributes,
            message_group_id=step.message_group_id,
            message_deduplication_id=step.message_deduplication_id)
        return f"send_message {step.queue}", f"MessageId {out['MessageId']}"
    if isinstance(step, PutItemStep):
        await sim.dynamodb.put_item(
            table_name=step.table, item=typed_item(step.item),
            condition_expression=step.condition_expression,
            expression_attribute_names=step.expression_attribute_names,
            expression_attribute_values=typed_values(step.expression_attribute_values))
        return f"put_item {step.table} {json.dumps(step.item, default=str)[:60]}", None
    if isinstance(step, UpdateItemStep):
        await sim.dynamodb.update_item(
            table_name=step.table, key=typed_item(step.key),
            update_expression=step.update_expression,
            condition_expression=step.condition_expression,
            expression_attribute_names=step.expression_attribute_names,
            expression_attribute_values=typed_values(step.expression_attribute_values))
        return f"update_item {step.table} {json.dumps(step.key, default=str)}", None
    if isinstance(step, DeleteItemStep):
        await sim.dynamodb.delete_item(
            table_name=step.table, key=typed_item(step.key),
            condition_expression=step.condition_expression,
            expression_attribute_names=step.expression_attribute_names,
            expression_attribute_values=typed_values(step.expression_attribute_values))
        return f"delete_item {step.table} {json.dumps(step.key, default=str)}", None
    if isinstance(step, PutRecordStep):
        out = await sim.kinesis.put_record(
            stream_name=step.stream, data=_text(step.data).encode(),
            partition_key=step.partition_key, explicit_hash_key=step.explicit_hash_key)
        return f"put_record {step.stream}", f"{out['ShardId']}"
    if isinstance(step, PutRecordsStep):
        records: list[Mapping[str, Any]] = [
            {"Data": _text(r.data).encode(), "PartitionKey": r.partition_key}
            | ({"ExplicitHashKey": r.explicit_hash_key} if r.explicit_hash_key else {})
            for r in step.records]
        await _put_records(sim, step.stream, records)
        return f"put_records {step.stream} ({len(records)} records)", None
    if isinstance(step, RecordsFromStep):
        return await _records_from(sim, scenario, names, step)
    if isinstance(step, InvokeStep):
        payload = await _payload(step, scenario)
        record = await sim.functions.invoke(step.function, payload,
                                            invocation_type=step.invocation_type)
        return (f"invoke {step.function} ({step.invocation_type})",
                record.status if record is not None else "queued")
    if isinstance(step, SettleStep):
        await sim.settle()
        return "settle", None
    if isinstance(step, AdvanceClockStep):
        if isinstance(sim.clock, VirtualClock):
            sim.clock.advance(step.seconds)
            await asyncio.sleep(0)  # let what fell due start
        else:
            await sim.clock.sleep(step.seconds)
        return f"advance_clock {step.seconds:g} s", None
    raise AssertionError(f"no runner for step {step.KIND}")  # the model admits no other


async def _put_records(sim: Simulator, stream: str, records: list[Mapping[str, Any]]) -> None:
    out = await sim.kinesis.put_records(stream_name=stream, records=records)
    if out.get("FailedRecordCount"):
        failed = next(r for r in out["Records"] if r.get("ErrorCode"))
        raise StepFailed(f"{out['FailedRecordCount']} of {len(records)} records failed: "
                         f"{failed['ErrorCode']}: {failed.get('ErrorMessage')}")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def _records_from(sim: Simulator, scenario: Scenario, names: Names,
                        step: RecordsFromStep) -> tuple[str, str | None]:
    path = await asyncio.to_thread(scenario.resolve_path, step.file)
    text = await asyncio.to_thread(path.read_text, "utf-8")
    values: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except ValueError as exc:
            raise StepFailed(f"{step.file}:{number}: not JSON: {exc}") from None
    if step.stream is not None:
        records: list[Mapping[str, Any]] = []
        for number, value in enumerate(values):
            key = step.partition_key or str(number)
            if step.partition_key_field is not None:
                if not isinstance(value, dict) or step.partition_key_field not in value:
                    raise StepFailed(f"{step.file}: record {number + 1} has no "
                                     f"{step.partition_key_field}")
                key = str(value[step.partition_key_field])
            records.append({"Data": _text(value).encode(), "PartitionKey": key})
        for chunk in _chunks(records, 500):  # PutRecords' limit
            await _put_records(sim, step.stream, chunk)
        target = f"stream {step.stream}"
    elif step.queue is not None:
        url = await names.queue_url(step.queue)
        for chunk in _chunks(values, 10):  # SendMessageBatch's limit
            out = await sim.sqs.send_message_batch(queue_url=url, entries=[
                {"Id": str(n), "MessageBody": _text(v)} for n, v in enumerate(chunk)])
            if out.get("Failed"):
                failed = out["Failed"][0]
                raise StepFailed(f"{len(out['Failed'])} messages failed: {failed['Code']}: "
                                 f"{failed.get('Message')}")
        target = f"queue {step.queue}"
    else:
        assert step.table is not None
        for n, value in enumerate(values):
            if not isinstance(value, dict):
                raise StepFailed(f"{step.file}: line {n + 1} is not an item (a JSON object)")
        for chunk in _chunks(values, 25):  # BatchWriteItem's limit
            await sim.dynamodb.batch_write_item(request_items={
                step.table: [{"PutRequest": {"Item": typed_item(v)}} for v in chunk]})
        target = f"table {step.table}"
    return f"records_from {step.file} -> {target}", f"{len(values)} records"


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
