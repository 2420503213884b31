"""HTTP/S subscriptions against a local aiohttp server: confirmation, notifications, retries on
the clock and the dead-letter queue."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from eventsim import Simulator, SimulatorConfig
from eventsim.services.sns.http_delivery import RETRIES, RETRY_DELAY
from eventsim.store.outbox import OutboxRow

DLQ = "arn:aws:sqs:us-east-1:000000000000:dead-letters"


@dataclass
class Endpoint:
    """A local HTTP endpoint that records what SNS POSTs and answers with `status`."""

    url: str = ""
    status: int = 200
    recover_after: int | None = None
    """Answer 200 once this many requests have been answered with `status`."""
    received: list[tuple[dict[str, str], str, float]] = field(default_factory=list)
    sim: Simulator | None = None

    def of_type(self, kind: str) -> list[tuple[dict[str, str], str, float]]:
        return [r for r in self.received if r[0].get("x-amz-sns-message-type") == kind]


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    async with Simulator(SimulatorConfig(clock="virtual")) as simulator:
        yield simulator


@pytest_asyncio.fixture
async def endpoint(sim: Simulator) -> AsyncIterator[Endpoint]:
    state = Endpoint(sim=sim)

    async def handle(request: web.Request) -> web.Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        state.received.append((headers, await request.text(), sim.clock.time()))
        status = state.status
        if state.recover_after is not None:
            if state.recover_after <= 0:
                status = 200
            state.recover_after -= 1
        return web.Response(status=status)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.url = f"http://127.0.0.1:{port}/hook"
    yield state
    await runner.cleanup()


@pytest.fixture
def queued(sim: Simulator) -> list[OutboxRow]:
    rows: list[OutboxRow] = []
    sim.dispatcher.register("queue", lambda conn, row: rows.append(row), lambda: None)
    return rows


async def _subscribed(sim: Simulator, endpoint: Endpoint, confirm: bool = True,
                      **attributes: str) -> tuple[str, str]:
    topic = (await sim.sns.create_topic(name="hooks"))["TopicArn"]
    result = await sim.sns.subscribe(topic_arn=topic, protocol="http", endpoint=endpoint.url,
                                     attributes=attributes or None)
    assert result == {"SubscriptionArn": "pending confirmation"}
    await sim.settle()
    if confirm:
        [(_, body, _)] = endpoint.of_type("SubscriptionConfirmation")
        token = json.loads(body)["Token"]
        confirmed = await sim.sns.confirm_subscription(topic_arn=topic, token=token)
        return topic, str(confirmed["SubscriptionArn"])
    return topic, ""


@pytest.mark.asyncio
async def test_http_subscription_is_sent_a_confirmation(sim: Simulator,
                                                        endpoint: Endpoint) -> None:
    topic, _ = await _subscribed(sim, endpoint, confirm=False)
    [(headers, body, _)] = endpoint.received
    assert headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert headers["x-amz-sns-topic-arn"] == topic
    assert headers["content-type"] == "text/plain; charset=UTF-8"
    message = json.loads(body)
    assert list(message) == ["Type", "MessageId", "Token", "TopicArn", "Message", "SubscribeURL",
                             "Timestamp", "SignatureVersion", "Signature", "SigningCertURL"]
    assert message["Type"] == "SubscriptionConfirmation"
    assert headers["x-amz-sns-message-id"] == message["MessageId"]
    assert message["SubscribeURL"].endswith(
        f"/?Action=ConfirmSubscription&TopicArn={topic}&Token={message['Token']}")


@pytest.mark.asyncio
async def test_pending_subscription_gets_no_notifications(sim: Simulator,
                                                          endpoint: Endpoint) -> None:
    topic, _ = await _subscribed(sim, endpoint, confirm=False)
    await sim.sns.publish(topic_arn=topic, message="m")
    await sim.settle()
    assert endpoint.of_type("Notification") == []
    [listed] = (await sim.sns.list_subscriptions())["Subscriptions"]
    assert listed["SubscriptionArn"] == "PendingConfirmation"


@pytest.mark.asyncio
async def test_confirm_subscription_with_a_wrong_token_is_invalid(sim: Simulator,
                                                                  endpoint: Endpoint) -> None:
    topic, _ = await _subscribed(sim, endpoint, confirm=False)
    with pytest.raises(Exception) as exc:
        await sim.sns.confirm_subscription(topic_arn=topic, token="nope")
    assert getattr(exc.value, "code", None) == "InvalidParameter"


@pytest.mark.asyncio
async def test_confirmed_http_subscription_gets_the_notification(sim: Simulator,
                                                                 endpoint: Endpoint) -> None:
    topic, sub = await _subscribed(sim, endpoint)
    assert sub.startswith(topic + ":")
    result = await sim.sns.publish(topic_arn=topic, message="hello", subject="s")
    await sim.settle()
    [(headers, body, _)] = endpoint.of_type("Notification")
    assert headers["x-amz-sns-message-id"] == result["MessageId"]
    assert headers["x-amz-sns-topic-arn"] == topic
    assert headers["x-amz-sns-subscription-arn"] == sub
    assert headers["user-agent"] == "Amazon Simple Notification Service Agent"
    envelope = json.loads(body)
    assert envelope["Type"] == "Notification"
    assert envelope["Message"] == "hello"
    assert envelope["Subject"] == "s"


@pytest.mark.asyncio
async def test_raw_http_delivery_posts_the_message_itself(sim: Simulator,
                                                          endpoint: Endpoint) -> None:
    topic, _ = await _subscribed(sim, endpoint, RawMessageDelivery="true")
    await sim.sns.publish(topic_arn=topic, message="just this")
    await sim.settle()
    [(headers, body, _)] = endpoint.of_type("Notification")
    assert body == "just this"
    assert headers["x-amz-sns-rawdelivery"] == "true"


@pytest.mark.asyncio
async def test_server_errors_are_retried_20s_apart_then_dead_lettered(
        sim: Simulator, endpoint: Endpoint, queued: list[OutboxRow]) -> None:
    topic, _ = await _subscribed(sim, endpoint,
                                 RedrivePolicy=json.dumps({"deadLetterTargetArn": DLQ}))
    endpoint.status = 503
    await sim.sns.publish(topic_arn=topic, message="m")
    await sim.settle()
    attempts = endpoint.of_type("Notification")
    assert len(attempts) == 1 + RETRIES
    times = [t for _, _, t in attempts]
    assert [round(b - a) for a, b in itertools.pairwise(times)] == [
        int(RETRY_DELAY)] * RETRIES
    [row] = queued
    assert row.target == DLQ
    assert json.loads(json.loads(row.payload)["MessageBody"])["Message"] == "m"


@pytest.mark.asyncio
async def test_client_errors_are_not_retried(sim: Simulator, endpoint: Endpoint,
                                             queued: list[OutboxRow]) -> None:
    topic, _ = await _subscribed(sim, endpoint,
                                 RedrivePolicy=json.dumps({"deadLetterTargetArn": DLQ}))
    endpoint.status = 404
    await sim.sns.publish(topic_arn=topic, message="m")
    await sim.settle()
    assert len(endpoint.of_type("Notification")) == 1
    assert [r.target for r in queued] == [DLQ]


@pytest.mark.asyncio
async def test_retry_that_succeeds_is_delivered_once(sim: Simulator, endpoint: Endpoint,
                                                     queued: list[OutboxRow]) -> None:
    topic, _ = await _subscribed(sim, endpoint,
                                 RedrivePolicy=json.dumps({"deadLetterTargetArn": DLQ}))
    endpoint.status, endpoint.recover_after = 500, 1
    await sim.sns.publish(topic_arn=topic, message="m")
    await sim.settle()
    assert len(endpoint.of_type("Notification")) == 2
    assert queued == []


@pytest.mark.asyncio
async def test_unreachable_endpoint_without_redrive_is_dropped(sim: Simulator) -> None:
    topic = (await sim.sns.create_topic(name="hooks"))["TopicArn"]
    await sim.sns.subscribe(topic_arn=topic, protocol="http", endpoint="http://127.0.0.1:9/x")
    await sim.settle()
    rows = await sim.db.read(
        lambda c: c.execute("SELECT COUNT(*) FROM sns_http_deliveries").fetchone()[0])
    assert rows == 0


@pytest.mark.asyncio
async def test_pending_http_delivery_is_resumed_after_a_restart(tmp_path: Any) -> None:
    config = SimulatorConfig(db=str(tmp_path / "state.db"), clock="virtual")
    received: list[str] = []
    first = asyncio.Event()

    async def handle(request: web.Request) -> web.Response:
        received.append(await request.text())
        first.set()
        return web.Response(status=200 if len(received) > 1 else 503)

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        async with Simulator(config) as sim:
            topic = (await sim.sns.create_topic(name="hooks"))["TopicArn"]
            await sim.sns.subscribe(topic_arn=topic, protocol="http", endpoint=url)
            # Stop before the retry 20 s later: the confirmation waits in the table.
            await asyncio.wait_for(first.wait(), 30)
        assert len(received) == 1
        async with Simulator(config) as sim:
            await sim.settle()
        assert len(received) == 2
        assert json.loads(received[1])["Type"] == "SubscriptionConfirmation"
    finally:
        await runner.cleanup()


@pytest.mark.asyncio
async def test_unsubscribing_sends_an_unsubscribe_confirmation(sim: Simulator,
                                                               endpoint: Endpoint) -> None:
    _, sub = await _subscribed(sim, endpoint)
    await sim.sns.unsubscribe(subscription_arn=sub)
    await sim.settle()
    [(headers, body, _)] = endpoint.of_type("UnsubscribeConfirmation")
    assert headers["x-amz-sns-subscription-arn"] == sub
    message = json.loads(body)
    assert message["Type"] == "UnsubscribeConfirmation"
    assert message["Message"].startswith(f"You have chosen to deactivate subscription {sub}.")
    assert "Action=ConfirmSubscription" in message["SubscribeURL"]
    assert (await sim.sns.list_subscriptions())["Subscriptions"] == []


@pytest.mark.asyncio
async def test_subscribing_a_pending_endpoint_again_resends_the_confirmation(
        sim: Simulator, endpoint: Endpoint) -> None:
    topic, _ = await _subscribed(sim, endpoint, confirm=False)
    again = await sim.sns.subscribe(topic_arn=topic, protocol="http", endpoint=endpoint.url)
    assert again == {"SubscriptionArn": "pending confirmation"}
    await sim.settle()
    tokens = {json.loads(body)["Token"] for _, body, _ in
              endpoint.of_type("SubscriptionConfirmation")}
    assert len(endpoint.of_type("SubscriptionConfirmation")) == 2
    assert len(tokens) == 1


@pytest.mark.asyncio
async def test_subscription_delivery_policy_sets_retries_and_content_type(
        sim: Simulator, endpoint: Endpoint) -> None:
    policy = {"healthyRetryPolicy": {"numRetries": 2, "minDelayTarget": 5, "maxDelayTarget": 5},
              "requestPolicy": {"headerContentType": "application/json"}}
    topic, _ = await _subscribed(sim, endpoint, DeliveryPolicy=json.dumps(policy))
    endpoint.status = 500
    await sim.sns.publish(topic_arn=topic, message="m")
    await sim.settle()
    attempts = endpoint.of_type("Notification")
    assert len(attempts) == 3
    assert [round(b - a) for a, b in itertools.pairwise([t for _, _, t in attempts])] == [5, 5]
    assert attempts[0][0]["content-type"] == "application/json"


@pytest.mark.asyncio
async def test_invalid_delivery_policy_is_refused(sim: Simulator, endpoint: Endpoint) -> None:
    topic = (await sim.sns.create_topic(name="hooks"))["TopicArn"]
    with pytest.raises(Exception) as exc:
        await sim.sns.subscribe(topic_arn=topic, protocol="http", endpoint=endpoint.url,
                                attributes={"DeliveryPolicy": json.dumps(
                                    {"healthyRetryPolicy": {"numRetries": 101}})})
    assert getattr(exc.value, "message", "") == (
        "Invalid parameter: Attributes Reason: DeliveryPolicy: numRetries must be at most 100")
    with pytest.raises(Exception) as exc:
        await sim.sns.set_topic_attributes(topic_arn=topic, attribute_name="DeliveryPolicy",
                                           attribute_value="{")
    assert getattr(exc.value, "code", "") == "InvalidParameter"
