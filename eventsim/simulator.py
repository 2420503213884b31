"""The simulator: builds the store, services and engine, starts and stops them.

    async with Simulator(SimulatorConfig()) as sim:
        await sim.s3.create_bucket(bucket="uploads")
        await sim.s3.put_object(bucket="uploads", key="cat.jpg", body=b"...")
        await sim.settle()

Every surface (gateway, scenario runner, pytest helpers, console) calls the service handles
here: `sim.s3`, `sim.dynamodb`, `sim.dynamodbstreams` (separate, as botocore's clients are),
`sim.functions`, `sim.mappings` (Lambda's event source mapping operations, which the Lambda
API's ESM operations route to), `sim.logs` (CloudWatch Logs over the functions' logs), and
reads `sim.invocations`.
"""

from __future__ import annotations

import asyncio
import collections
import enum
import logging
import time
import warnings
from pathlib import Path
from typing import Any

from eventsim.activity import Activity
from eventsim.clock import Clock, RealClock, VirtualClock
from eventsim.config import SimulatorConfig
from eventsim.delivery.async_queue import AsyncInvokeQueue
from eventsim.delivery.dispatcher import Dispatcher
from eventsim.errors import SimulatorStateError, TooManyRequestsException
from eventsim.heap import freeze_long_lived, raise_young_threshold
from eventsim.pollers.engine import PollerEngine
from eventsim.pollers.manager import PollerManager
from eventsim.runtime.base import Runtime
from eventsim.runtime.inline import InlineRuntime
from eventsim.runtime.invoker import Invoker
from eventsim.runtime.process import ProcessRuntime
from eventsim.services.base import ServiceContext
from eventsim.services.dynamodb.service import DynamoDBService
from eventsim.services.dynamodb.ttl import TtlSweeper
from eventsim.services.dynamodbstreams.polling import stream_state
from eventsim.services.dynamodbstreams.service import DynamoDBStreamsService
from eventsim.services.kinesis.service import KinesisService
from eventsim.services.lambda_.api import LambdaAPI
from eventsim.services.lambda_.invocations import InvocationLog, InvocationRecord, insert_invocation
from eventsim.services.lambda_.mappings import MappingService
from eventsim.services.lambda_.models import FunctionConfig, RuntimeKind
from eventsim.services.lambda_.permissions import InvokePermissions
from eventsim.services.lambda_.service import LambdaService
from eventsim.services.logs.service import LogsService
from eventsim.services.s3.service import S3Service
from eventsim.services.sns.http_delivery import HttpSender
from eventsim.services.sns.service import SNSService
from eventsim.services.sqs import SqsService
from eventsim.services.sqs.move_tasks import MessageMover
from eventsim.services.sts.service import StsService
from eventsim.store import Database
from eventsim.traces import Trace, load_trace, load_trace_of
from eventsim.tracing import Cause

__all__ = ["SettleTimeout", "Simulator"]

LOG = logging.getLogger(__name__)


class _Lifecycle(enum.Enum):
    UNOPENED = "unopened"
    STARTED = "started"
    CLOSED = "closed"


class SettleTimeout(SimulatorStateError, TimeoutError):
    """`settle()` ran out of time; the message says what was still busy."""


class _Backend:
    """The engine side of `LambdaService.invoke`."""

    def __init__(self, sim: Simulator) -> None:
        self._sim = sim
        self._running: collections.Counter[str] = collections.Counter()
        """Synchronous invocations running now, per function."""

    async def invoke_sync(
        self, function: FunctionConfig, payload: str, cause: Cause,
        request_id: str | None = None, client_context: dict[str, Any] | None = None,
    ) -> InvocationRecord:
        sim = self._sim
        name = function.name
        limit = function.reserved_concurrency
        if limit is not None and self._running[name] + sim.async_queue.inflight(name) >= limit:
            # A synchronous call past reserved concurrency is refused, as on AWS.
            raise TooManyRequestsException(
                "Rate Exceeded.", Reason="ReservedFunctionConcurrentInvocationLimitExceeded",
                Type="User")
        self._running[name] += 1
        sim.activity.begin("sync-invoke")
        try:
            record = await sim.invoker.run(function, payload, cause, request_id=request_id,
                                           client_context=client_context)
            await sim.db.write(lambda c: insert_invocation(c, record))
            return record
        finally:
            self._running[name] -= 1
            sim.activity.end("sync-invoke")

    async def enqueue(
        self, function: FunctionConfig, payload: str, cause: Cause,
        request_id: str | None = None,
    ) -> str:
        return await self._sim.async_queue.enqueue(function, payload, cause, request_id)


class Simulator:
    """One simulated AWS account and region, with its event plumbing."""

    def __init__(
        self, config: SimulatorConfig | None = None, *, clock: Clock | None = None
    ) -> None:
        self.config = config or SimulatorConfig()
        self.clock: Clock = clock or (
            VirtualClock() if self.config.clock == "virtual" else RealClock()
        )
        self.endpoint_url: str | None = None
        """Where handlers' boto3 calls go (``AWS_ENDPOINT_URL``); set by the server."""
        self.access_key_id = "test"
        """The access key id handlers sign with; the server's access token when it has one."""
        self._state = _Lifecycle.UNOPENED
        self.db = Database(self.config.db)
        self.activity: Activity
        self.ctx: ServiceContext
        self.s3: S3Service
        self.sqs: SqsService
        self.sns: SNSService
        self.sns_http: HttpSender
        self.dynamodb: DynamoDBService
        self.dynamodbstreams: DynamoDBStreamsService
        self.kinesis: KinesisService
        self.logs: LogsService
        self.sts: StsService
        self.functions: LambdaService
        self.lambda_api: LambdaAPI
        """`functions` in AWS's shapes: what the gateway serves as ``lambda``."""
        self.mappings: MappingService
        self.permissions: InvokePermissions
        """Checks S3 and SNS pushes against functions' resource policies; its `warnings` say
        which AddPermission calls AWS would need (`SimulatorConfig.permissions`)."""
        """Lambda's event source mappings (CreateEventSourceMapping ...)."""
        self.pollers: PollerManager
        """The mappings' shard pollers (engine)."""
        self.invocations = InvocationLog(self.db)
        self.invoker: Invoker
        self.runtimes: dict[RuntimeKind, Runtime]
        self.dispatcher: Dispatcher
        self.async_queue: AsyncInvokeQueue

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def start(self) -> None:
        """Open the database, load state and start the engine."""
        if self._state is not _Lifecycle.UNOPENED:
            raise SimulatorStateError("Cannot start a simulator more than once.")
        self._state = _Lifecycle.STARTED
        try:
            await self._build()
        except BaseException:
            await self.aclose()
            raise
        freeze_long_lived()
        raise_young_threshold()

    async def _build(self) -> None:
        await self.db.open()
        self.activity = Activity()
        self.ctx = ServiceContext(
            db=self.db, clock=self.clock, region=self.config.region,
            account_id=self.config.account_id,
            wake_dispatcher=lambda: self.dispatcher.wake(),
            queued=lambda events: self.async_queue.accept(events),
            resource_exists=self._resource_exists,
            invoke_permitted=lambda *args: self.permissions.allowed(*args),
            source_written=self._source_written,
        )
        self.s3 = S3Service(self.ctx)
        self.sqs = SqsService(self.ctx, endpoint_url=lambda: self.endpoint_url)
        self.sns = SNSService(self.ctx, endpoint_url=lambda: self.endpoint_url)
        self.dynamodb = DynamoDBService(self.ctx)
        self.dynamodbstreams = DynamoDBStreamsService(self.ctx)
        self.kinesis = KinesisService(self.ctx)
        self.logs = LogsService(self.ctx)
        self.sts = StsService(self.ctx)
        self.functions = LambdaService(self.ctx, default_runtime=self.config.default_runtime)
        self.permissions = InvokePermissions(self.functions, self.config.permissions,
                                             self.config.account_id)
        self.mappings = MappingService(self.ctx, self.functions, self._source_exists,
                                       self.sqs.visibility_timeout)
        self.lambda_api = LambdaAPI(self.functions, mappings=self.mappings,
                                    code_root=self._code_root())
        await self.s3.load()
        await self.sqs.load()
        await self.sns.load()
        await self.dynamodb.load()
        await self.kinesis.load()
        await self.functions.load()
        await self.mappings.load()
        self.runtimes = {
            "inline": InlineRuntime(max_workers=self.config.handler_threads),
            # Starts nothing until a function of kind "process" is invoked.
            "process": ProcessRuntime(),
        }
        self.invoker = Invoker(
            clock=self.clock, runtimes=self.runtimes, region=self.config.region,
            endpoint_url=lambda: self.endpoint_url,
            access_key_id=lambda: self.access_key_id,
        )
        self.async_queue = AsyncInvokeQueue(
            db=self.db, clock=self.clock, activity=self.activity, invoker=self.invoker,
            functions=self.functions, max_concurrency=self.config.handler_threads,
            wake_dispatcher=lambda: self.dispatcher.wake(),
        )
        self.dispatcher = Dispatcher(
            db=self.db, clock=self.clock, activity=self.activity,
            accept_events=self.async_queue.accept,
        )
        self.dispatcher.register("queue", self.sqs.deliver, self.sqs.after_delivery)
        self.dispatcher.register("bucket", self.s3.deliver, self.s3.after_delivery)
        self.sns_http = HttpSender(db=self.db, clock=self.clock, activity=self.activity,
                                   wake_dispatcher=lambda: self.dispatcher.wake())
        self.dispatcher.register("topic", self.sns.deliver_topic, lambda: None)
        self.dispatcher.register("http", self.sns_http.take, self.sns_http.wake)
        self.functions.backend = _Backend(self)
        self.pollers = PollerManager(PollerEngine(
            db=self.db, clock=self.clock, activity=self.activity, invoker=self.invoker,
            mappings=self.mappings, functions=self.functions,
            wake_dispatcher=lambda: self.dispatcher.wake(), region=self.config.region,
            account_id=self.config.account_id,
        ), self.kinesis, self.sqs)
        self.mappings.listener = self.pollers.mapping_changed
        self.dynamodb_ttl = TtlSweeper(self.clock, self.activity, self.dynamodb)
        self.dynamodb.ttl_changed = self.dynamodb_ttl.wake
        self.sqs_mover = MessageMover(self.clock, self.activity, self.sqs)
        self.sqs.moves_started = self.sqs_mover.wake
        await self.async_queue.load()
        self.dispatcher.start()
        self.async_queue.start()
        self.sns_http.start()
        self.dynamodb_ttl.start()
        self.sqs_mover.start()
        await self.pollers.start()

    async def aclose(self) -> None:
        """Stop the engine and close the database. Closing twice is harmless."""
        if self._state is _Lifecycle.CLOSED:
            return
        self._state = _Lifecycle.CLOSED
        for name in ("pollers", "dynamodb_ttl", "sqs_mover", "sns_http", "dispatcher",
                     "async_queue"):
            worker = getattr(self, name, None)
            if worker is not None:
                await worker.aclose()
        for runtime in getattr(self, "runtimes", {}).values():
            await runtime.aclose()
        await self.db.aclose()
        api = getattr(self, "lambda_api", None)
        if api is not None:
            await asyncio.to_thread(api.close)

    def __del__(self) -> None:
        if getattr(self, "_state", None) is _Lifecycle.STARTED:
            warnings.warn(f"unclosed {self!r}", ResourceWarning, stacklevel=1)

    def _code_root(self) -> Path | None:
        """Where functions created from a zip are unpacked: beside a database file (so they
        outlive a restart, as the file does), else a temporary directory."""
        db = self.config.db
        if db == ":memory:" or db.startswith("file:") or not db:
            return None
        path = Path(db)
        return path.parent / f"{path.name}.functions"

    def service(self, name: str) -> Any:
        """The service object for an AWS service name, as the gateway routes to it."""
        services: dict[str, Any] = {
            "s3": self.s3, "sqs": self.sqs, "sns": self.sns, "lambda": self.lambda_api,
            "dynamodb": self.dynamodb, "dynamodbstreams": self.dynamodbstreams,
            "kinesis": self.kinesis, "logs": self.logs, "sts": self.sts,
        }
        try:
            return services[name]
        except KeyError:
            raise LookupError(name) from None

    def _source_written(self, arn: str) -> None:
        pollers = getattr(self, "pollers", None)
        if pollers is not None:
            pollers.source_written(arn)

    async def _source_exists(self, arn: str) -> bool:
        """Whether an event source mapping's stream exists (and, for DynamoDB, is enabled)."""
        if arn.split(":")[2] == "kinesis":
            return self.kinesis.stream_at(arn) is not None
        if arn.split(":")[2] == "sqs":
            return self.sqs.exists(arn)
        state = await self.db.read(lambda c: stream_state(c, arn))
        return state is not None and not state.closed

    def _resource_exists(self, kind: str, arn: str) -> bool:
        if kind == "function":
            return self.functions.exists(arn)
        if kind == "queue":
            return self.sqs.exists(arn)
        if kind == "topic":
            return self.sns.exists(arn)
        return False

    async def trace(self, trace_id: str) -> Trace:
        """The causal graph of one trace id: what started it, each invocation, the writes
        handlers made and the events those caused, and where failed events ended."""
        return await load_trace(self.invocations, trace_id)

    async def trace_of(self, request_id: str) -> Trace | None:
        """The trace an invocation belongs to (None for an unknown request id)."""
        return await load_trace_of(self.invocations, request_id)

    async def settle(self, timeout: float | None = None) -> None:
        """Return once no delivery, invocation or retry has work left.

        With a virtual clock, pending timers (retry back-off) are jumped to; with the real clock
        they are waited for. Raises `SettleTimeout` after `timeout` real seconds.
        """
        if self._state is not _Lifecycle.STARTED:
            raise SimulatorStateError("The simulator is not running.")
        limit = self.config.settle_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SettleTimeout(self._busy_message(limit))
            try:
                await asyncio.wait_for(self.activity.wait_idle(), remaining)
            except TimeoutError:
                raise SettleTimeout(self._busy_message(limit)) from None
            # Let any task that was just woken run before deciding.
            await asyncio.sleep(0)
            if not self.activity.idle:
                continue
            next_due = self.clock.next_work_deadline()
            if next_due is None:
                return
            if isinstance(self.clock, VirtualClock):
                if next_due > self.clock.time():
                    self.clock.advance_to_next()
                await asyncio.sleep(0)
                continue
            # Real clock: wait for the timer's work to begin.
            wait = min(deadline - time.monotonic(), max(0.0, next_due - self.clock.time()) + 0.05)
            if wait <= 0:
                raise SettleTimeout(self._busy_message(limit))
            try:
                await asyncio.wait_for(self.activity.wait_change(), wait)
            except TimeoutError:
                pass

    def _busy_message(self, limit: float) -> str:
        busy = self.activity.busy()
        pending = self.clock.next_work_deadline()
        parts = [f"{who} ({n})" for who, n in busy.items()]
        if pending is not None:
            parts.append(f"a retry due in {max(0.0, pending - self.clock.time()):.1f} s")
        return f"not settled after {limit:g} s; still busy: {', '.join(parts) or 'nothing?'}"
