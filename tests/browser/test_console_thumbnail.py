"""The issue's Must-show, in a real browser: an image uploaded through the console's Inject form
becomes the thumbnail function's invocation in the live feed; its trace and logs open; the
thumbnail is in the destination bucket. Screenshots of the main views are kept as artifacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CAT = ROOT / "fixtures" / "images" / "cat.jpg"
TIMEOUT_MS = 30_000


def test_uploaded_image_shows_in_feed_trace_logs_and_destination_bucket(console_page: Any) -> None:
    feed_tab = console_page()
    feed = feed_tab.open("feed?function=make-thumbnail")
    feed.get_by_test_id("feed-state").filter(has_text="live").wait_for(timeout=TIMEOUT_MS)

    inject_tab = console_page()
    inject = inject_tab.open("inject")
    inject.get_by_test_id("template").select_option("s3/put_object")
    inject.get_by_test_id("parameters").fill('{"Bucket": "uploads", "Key": "cats/cat.jpg"}')
    inject.get_by_test_id("upload-file").set_input_files(str(CAT))
    inject.get_by_test_id("inject-send").click()
    caused = inject.get_by_test_id("caused")
    caused.wait_for(timeout=TIMEOUT_MS)
    assert "make-thumbnail" in caused.inner_text()
    inject_tab.screenshot("inject-upload-result")

    # The feed tab was open before the upload: the invocation arrived live.
    row = feed.get_by_test_id("feed-invocation-make-thumbnail").first
    row.wait_for(timeout=TIMEOUT_MS)
    assert "Success" in row.inner_text()
    assert "uploads/cats/cat.jpg" in row.inner_text()
    feed_tab.screenshot("live-feed")

    row.get_by_test_id("open-invocation").click()
    trace = feed.get_by_test_id("trace")
    trace.locator("[data-test=trace-node-invocation]").first.wait_for(timeout=TIMEOUT_MS)
    assert "make-thumbnail" in trace.inner_text()
    feed_tab.screenshot("invocation-trace")

    feed.get_by_role("tab", name="Logs").click()
    logs = feed.get_by_test_id("logs")
    assert "thumbnail uploads/cats/cat.jpg -> thumbnails/cats/cat.jpg" in logs.inner_text()
    feed_tab.screenshot("invocation-logs")

    bucket_tab = console_page()
    bucket = bucket_tab.open("s3/thumbnails")
    bucket.get_by_test_id("folder-cats/").click()
    bucket.get_by_test_id("object-cats/cat.jpg").click()
    image = bucket.get_by_test_id("object-preview").locator("img")
    image.wait_for(timeout=TIMEOUT_MS)
    bucket.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=TIMEOUT_MS
    )
    width, height = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert 0 < width <= 128 and 0 < height <= 128
    bucket_tab.screenshot("thumbnail-bucket-preview")


def test_main_views_render_at_1280x800_without_script_errors(console_page: Any) -> None:
    tab = console_page()
    views = {
        "overview": ("", "Overview"),
        "functions": ("functions", "Functions"),
        "function-detail": ("functions/make-thumbnail", "make-thumbnail"),
        "invocations": ("invocations", "Invocations"),
        "mappings": ("mappings", "Event source mappings"),
        "destinations": ("destinations", "Dead-letter queues and destinations"),
        "topology": ("topology", "Topology"),
        "inject": ("inject", "Inject"),
        "live-feed-empty": ("feed", "Live feed"),
        "s3-buckets": ("s3", "S3 buckets"),
        "sns-topics": ("sns", "SNS topics"),
        "sqs-queues": ("sqs", "SQS queues"),
        "dynamodb-tables": ("dynamodb", "DynamoDB tables"),
        "kinesis-streams": ("kinesis", "Kinesis streams"),
    }
    for name, (hash_, heading) in views.items():
        page = tab.open(hash_)
        page.get_by_role("heading", level=1, name=heading).wait_for(timeout=TIMEOUT_MS)
        page.locator("main .paged > p", has_text="Loading").first.wait_for(state="detached", timeout=TIMEOUT_MS)
        assert page.locator("main .error").count() == 0, f"{name}: {page.locator('main .error').first.inner_text()}"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{name} scrolls sideways at 1280 pixels ({width})"
        tab.screenshot(name)
