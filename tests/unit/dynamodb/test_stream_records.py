"""Stream records hold AWS's shape: golden documents, and SizeBytes as AWS counts it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eventsim.events.dynamodb import stream_record
from eventsim.services.dynamodb.values import from_json, item_size

GOLDEN = Path(__file__).parent.parent.parent / "golden" / "dynamodb"


def golden(name: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((GOLDEN / name).read_text())["Records"]
    return records


def rebuild(record: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body = record["dynamodb"]
    keys, new, old = body["Keys"], body.get("NewImage"), body.get("OldImage")

    def size(image: dict[str, Any] | None) -> int:
        return item_size(from_json(image)) if image is not None else 0

    args: dict[str, Any] = {
        "event_id": record["eventID"], "event_name": record["eventName"],
        "region": record["awsRegion"], "created_at": body.get("ApproximateCreationDateTime", 0),
        "keys": keys, "new_image": new, "old_image": old,
        "sequence_number": body["SequenceNumber"], "view_type": body["StreamViewType"],
        "stream_arn": record["eventSourceARN"], "sizes": (size(keys), size(new), size(old)),
    }
    args.update(overrides)
    return stream_record(**args)


def test_modify_record_matches_the_reference_document_and_key_order() -> None:
    (expected,) = golden("modify_new_and_old_images.json")
    built = rebuild(expected)
    # The reference's values are illustrative: its SizeBytes (59) is the Lambda guide's, for a
    # longer message; AWS's count for these images is 45 (the guide example checks the rule).
    assert built["dynamodb"]["SizeBytes"] == 45
    built["dynamodb"]["SizeBytes"] = expected["dynamodb"]["SizeBytes"]
    assert built == expected
    assert list(built) == list(expected)
    assert list(built["dynamodb"]) == list(expected["dynamodb"])


def test_lambda_guide_example_images_and_sizes() -> None:
    for expected in golden("lambda_guide_example.json"):
        built = rebuild(expected)
        body, want = built["dynamodb"], expected["dynamodb"]
        assert body["SizeBytes"] == want["SizeBytes"]
        for member in ("Keys", "NewImage", "OldImage", "SequenceNumber", "StreamViewType"):
            assert body.get(member) == want.get(member)
        for member in ("eventName", "eventSource", "awsRegion", "eventSourceARN"):
            assert built[member] == expected[member]
        assert built["eventVersion"] == "1.1"  # AWS's current version; the guide shows 1.0


def test_view_type_decides_which_images_a_record_carries() -> None:
    (modify,) = golden("modify_new_and_old_images.json")
    expectations = {"KEYS_ONLY": set(), "NEW_IMAGE": {"NewImage"}, "OLD_IMAGE": {"OldImage"},
                    "NEW_AND_OLD_IMAGES": {"NewImage", "OldImage"}}
    for view, images in expectations.items():
        body = rebuild(modify, view_type=view)["dynamodb"]
        assert {k for k in ("NewImage", "OldImage") if k in body} == images
        assert body["StreamViewType"] == view
    keys_only = rebuild(modify, view_type="KEYS_ONLY")["dynamodb"]
    assert keys_only["SizeBytes"] == 5  # only the keys count


def test_creation_time_is_rounded_down_to_the_second() -> None:
    (modify,) = golden("modify_new_and_old_images.json")
    built = rebuild(modify, created_at=1714564800.987)
    assert built["dynamodb"]["ApproximateCreationDateTime"] == 1714564800
