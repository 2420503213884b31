"""Injecting writes through the gateway's dispatch, and the views of what they caused."""

from __future__ import annotations

import base64

import aiohttp
import pytest

from .conftest import Console, chain


@pytest.mark.asyncio
async def test_inject_put_object_runs_the_workflow_and_names_its_trace(console: Console) -> None:
    await chain(console)
    body = base64.b64encode(b"big").decode()
    answer = await console.post("api/inject/s3/put_object?settle=true",
                                {"Bucket": "uploads", "Key": "cat.jpg", "Body": body})
    assert answer["result"]["ETag"]
    assert answer["settled"] is True
    labels = [(n["kind"], n["label"]) for n in answer["trace"]["nodes"]]
    assert ("origin", "s3:ObjectCreated:Put uploads/cat.jpg") in labels
    assert ("invocation", "resize") in labels and ("invocation", "index") in labels
    trace = await console.get(f"api/traces/{answer['trace_id']}")
    assert trace["nodes"] == answer["trace"]["nodes"]
    assert {e["kind"] for e in trace["edges"]} >= {"caused", "wrote"}
    assert trace["nodes"][0]["at"].endswith("Z")


@pytest.mark.asyncio
async def test_inject_multipart_upload_takes_key_and_content_type_from_the_file(
    console: Console,
) -> None:
    await console.sim.s3.create_bucket(bucket="photos")
    form = aiohttp.FormData()
    form.add_field("Bucket", "photos")
    form.add_field("file", b"\x89PNG...", filename="badge.png", content_type="image/png")
    async with console.session.post(console.base + "api/inject/s3/put_object",
                                    data=form) as response:
        assert response.status == 200, await response.text()
    async with console.session.get(console.base + "api/s3/buckets/photos/object",
                                   params={"key": "badge.png"}) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert await response.read() == b"\x89PNG..."


@pytest.mark.asyncio
async def test_inject_invoke_returns_the_payload_and_records_the_invocation(
    console: Console,
) -> None:
    from .conftest import ECHO

    await console.sim.functions.create_function(name="echo", handler="app.lambda_handler",
                                                code_dir=ECHO)
    answer = await console.post("api/inject/lambda/invoke",
                                {"FunctionName": "echo", "Payload": {"hello": "world"}})
    assert answer["result"]["StatusCode"] == 200
    assert answer["result"]["Payload"] == '{"hello": "world"}'
    [row] = (await console.get("api/invocations?function=echo"))["items"]
    assert row["trace_id"] == answer["trace_id"]
    detail = await console.get(f"api/invocations/{row['request_id']}")
    assert detail["attempts"][0]["event"] == {"hello": "world"}
    assert detail["attempts"][0]["result"] == {"hello": "world"}
    assert '{"hello": "world"}' in detail["attempts"][0]["logs"]
    traced = await console.get(f"api/invocations/{row['request_id']}/trace")
    assert [n["kind"] for n in traced["nodes"]] == ["origin", "invocation"]


@pytest.mark.asyncio
async def test_inject_errors_are_the_services_aws_errors(console: Console) -> None:
    answer = await console.post("api/inject/s3/put_object",
                                {"Bucket": "missing", "Key": "k", "Body": ""}, status=404)
    assert answer["error"] == "NoSuchBucket"


@pytest.mark.asyncio
@pytest.mark.parametrize(("path", "params", "status", "text"), [
    pytest.param("s3/put_object", {"Bucket": "b", "Nope": 1}, 400, "unknown parameter 'Nope'",
                 id="unknown-parameter"),
    pytest.param("s3/put_object", {"Key": "k"}, 400, "Missing required parameter",
                 id="missing-parameter"),
    pytest.param("s3/put_object", {"Bucket": "b", "Key": "k", "Body": "not base64!"}, 400,
                 "base64", id="bad-blob"),
    pytest.param("s3/no_such_operation", {}, 404, "no operation", id="unknown-operation"),
    pytest.param("ec2/run_instances", {}, 404, "no service", id="unknown-service"),
])
async def test_inject_refuses_bad_input_with_a_clear_message(
    console: Console, path: str, params: dict[str, object], status: int, text: str,
) -> None:
    answer = await console.post(f"api/inject/{path}", params, status=status)
    assert text in answer["message"]


@pytest.mark.asyncio
async def test_inject_body_that_is_not_json_is_a_bad_request(console: Console) -> None:
    async with console.session.post(console.base + "api/inject/sqs/send_message",
                                    data=b"{oops", headers={"Content-Type": "application/json"}
                                    ) as response:
        assert response.status == 400
        assert "not JSON" in (await response.json())["message"]


@pytest.mark.asyncio
async def test_templates_cover_the_injectable_writes_and_name_existing_resources(
    console: Console,
) -> None:
    await console.sim.s3.create_bucket(bucket="uploads")
    templates = (await console.get("api/inject/templates"))["items"]
    assert {t["operation"] for t in templates} == {
        "put_object", "publish", "send_message", "put_item", "put_records", "invoke"}
    [put] = [t for t in templates if t["operation"] == "put_object"]
    assert put["params"]["Bucket"] == "uploads"
    answer = await console.post("api/inject/s3/put_object", put["params"])
    assert answer["result"]["ETag"]


@pytest.mark.asyncio
async def test_the_upload_template_prefers_a_bucket_that_notifies_something(
    console: Console,
) -> None:
    for bucket in ("archive", "uploads"):
        await console.sim.s3.create_bucket(bucket=bucket)
    queue = await console.sim.sqs.create_queue(queue_name="events")
    arn = (await console.sim.sqs.get_queue_attributes(
        queue_url=queue["QueueUrl"], attribute_names=["QueueArn"]))["Attributes"]["QueueArn"]
    await console.sim.s3.put_bucket_notification_configuration(
        bucket="uploads", notification_configuration={"QueueConfigurations": [
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    templates = (await console.get("api/inject/templates"))["items"]
    [put] = [t for t in templates if t["operation"] == "put_object"]
    assert put["params"]["Bucket"] == "uploads"  # not "archive", first by name


@pytest.mark.asyncio
async def test_unknown_console_paths_and_methods_answer_json_errors(console: Console) -> None:
    answer = await console.get("api/no-such-view", status=404)
    assert answer["error"] == "NotFound"
    async with console.session.delete(console.base + "api/overview") as response:
        assert response.status == 405
        assert (await response.json())["error"] == "MethodNotAllowed"
