"""Bucket notification configurations: S3's validation, storage, and which targets match."""

from __future__ import annotations

import base64
import uuid
from typing import Any

import botocore.session  # type: ignore[import-untyped]
import pytest
from botocore.validate import ParamValidator  # type: ignore[import-untyped]

from eventsim.errors import AwsError, InvalidArgument, MalformedXML
from eventsim.matching.s3_keys import KeyFilter
from eventsim.services.s3.event_types import EVENT_TYPES, event_matches, events_overlap
from eventsim.services.s3.notifications import (
    NotificationConfiguration,
    NotificationTarget,
    matching_targets,
    new_configuration_id,
    parse_notification_configuration,
)

FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:make-thumbnail"
OTHER_FUNCTION = "arn:aws:lambda:us-east-1:000000000000:function:index"
QUEUE = "arn:aws:sqs:us-east-1:000000000000:uploads"
TOPIC = "arn:aws:sns:us-east-1:000000000000:uploads"

OVERLAP = (
    "Configurations overlap. Configurations on the same bucket cannot share a common event type."
)
AMBIGUOUS = (
    "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the "
    "prefixes are overlapping for the same event type."
)
UNVALIDATED = "Unable to validate the following destination configurations"


def _rules(prefix: str | None = None, suffix: str | None = None) -> dict[str, Any]:
    rules = []
    if prefix is not None:
        rules.append({"Name": "prefix", "Value": prefix})
    if suffix is not None:
        rules.append({"Name": "suffix", "Value": suffix})
    return {"Key": {"FilterRules": rules}}


def _function(
    events: list[str], arn: str = FUNCTION, *, prefix: str | None = None, suffix: str | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {"LambdaFunctionArn": arn, "Events": events}
    if prefix is not None or suffix is not None:
        item["Filter"] = _rules(prefix, suffix)
    return item


def _functions(*items: dict[str, Any]) -> dict[str, Any]:
    return {"LambdaFunctionConfigurations": list(items)}


def _error(config: dict[str, Any], **kwargs: Any) -> AwsError:
    with pytest.raises(AwsError) as caught:
        parse_notification_configuration(config, **kwargs)
    return caught.value


# -- parsing ---------------------------------------------------------------------------------


def test_parse_keeps_given_id_events_and_filter() -> None:
    config = parse_notification_configuration(
        _functions(
            {**_function(["s3:ObjectCreated:*"], prefix="uploads/", suffix=".jpg"), "Id": "thumbs"}
        )
    )
    assert config.targets == (
        NotificationTarget(
            kind="function",
            arn=FUNCTION,
            configuration_id="thumbs",
            events=("s3:ObjectCreated:*",),
            key_filter=KeyFilter(prefix="uploads/", suffix=".jpg"),
        ),
    )
    assert not config.event_bridge


def test_parse_generates_an_id_as_base64_of_a_uuid() -> None:
    config = parse_notification_configuration(_functions(_function(["s3:ObjectCreated:*"])))
    generated = config.targets[0].configuration_id
    uuid.UUID(base64.b64decode(generated).decode("ascii"))
    assert new_configuration_id() != new_configuration_id()


def test_parse_reads_every_destination_kind_in_model_order() -> None:
    config = parse_notification_configuration(
        {
            "LambdaFunctionConfigurations": [_function(["s3:ObjectCreated:*"])],
            "QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectRemoved:*"]}],
            "TopicConfigurations": [{"TopicArn": TOPIC, "Events": ["s3:ObjectTagging:*"]}],
            "EventBridgeConfiguration": {},
        }
    )
    assert [(t.kind, t.arn) for t in config.targets] == [
        ("topic", TOPIC),
        ("queue", QUEUE),
        ("function", FUNCTION),
    ]
    assert config.event_bridge


def test_empty_configuration_disables_notifications() -> None:
    config = parse_notification_configuration({})
    assert config == NotificationConfiguration()
    assert config.to_api() == {}


def test_filter_rule_names_are_case_insensitive() -> None:
    config = parse_notification_configuration(
        {
            "QueueConfigurations": [
                {
                    "QueueArn": QUEUE,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {
                            "FilterRules": [
                                {"Name": "suffix", "Value": ".txt"},
                                {"Name": "PREFIX", "Value": "notif-"},
                            ]
                        }
                    },
                }
            ]
        }
    )
    assert config.targets[0].key_filter == KeyFilter(prefix="notif-", suffix=".txt")


def test_empty_filter_rule_value_is_accepted() -> None:
    config = parse_notification_configuration(
        _functions(_function(["s3:ObjectCreated:*"], prefix=""))
    )
    assert config.targets[0].key_filter == KeyFilter(prefix="")


def test_event_catalogue_matches_botocore_s3_model() -> None:
    model = botocore.session.get_session().get_service_model("s3")
    assert set(model.shape_for("Event").enum) == EVENT_TYPES


# -- GetBucketNotificationConfiguration and storage -----------------------------------------


def test_to_api_returns_capitalised_rule_names_in_model_order() -> None:
    config = parse_notification_configuration(
        {
            "EventBridgeConfiguration": {},
            "QueueConfigurations": [
                {
                    "Id": "id0001",
                    "QueueArn": QUEUE,
                    "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
                    "Filter": _rules(prefix="testupload/", suffix="testfile.txt"),
                }
            ],
            "TopicConfigurations": [{"Id": "t", "TopicArn": TOPIC, "Events": ["s3:ObjectAcl:Put"]}],
        }
    )
    api = config.to_api()
    assert api == {
        "TopicConfigurations": [{"Id": "t", "TopicArn": TOPIC, "Events": ["s3:ObjectAcl:Put"]}],
        "QueueConfigurations": [
            {
                "Id": "id0001",
                "QueueArn": QUEUE,
                "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
                "Filter": {
                    "Key": {
                        "FilterRules": [
                            {"Name": "Prefix", "Value": "testupload/"},
                            {"Name": "Suffix", "Value": "testfile.txt"},
                        ]
                    }
                },
            }
        ],
        "EventBridgeConfiguration": {},
    }
    assert list(api) == ["TopicConfigurations", "QueueConfigurations", "EventBridgeConfiguration"]
    assert list(api["QueueConfigurations"][0]) == ["Id", "QueueArn", "Events", "Filter"]


def test_to_api_round_trips_through_parse() -> None:
    config = parse_notification_configuration(
        _functions(
            _function(["s3:ObjectCreated:*"], prefix="images", suffix=".jpg"),
            _function(["s3:ObjectCreated:*"], OTHER_FUNCTION, prefix="images", suffix=".png"),
        )
    )
    assert parse_notification_configuration(config.to_api()) == config


def test_to_api_validates_against_botocore_output_shape() -> None:
    config = parse_notification_configuration(
        {
            "TopicConfigurations": [{"TopicArn": TOPIC, "Events": ["s3:ObjectCreated:*"]}],
            "LambdaFunctionConfigurations": [
                _function(["s3:ObjectRemoved:*"], prefix="a/", suffix=".b")
            ],
            "EventBridgeConfiguration": {},
        }
    )
    model = botocore.session.get_session().get_service_model("s3")
    shape = model.operation_model("GetBucketNotificationConfiguration").output_shape
    assert list(config.to_api()) == [m for m in shape.members if m in config.to_api()]
    report = ParamValidator().validate(config.to_api(), shape)
    assert not report.has_errors(), report.generate_report()


def test_json_storage_round_trips() -> None:
    config = parse_notification_configuration(
        {
            "QueueConfigurations": [
                {"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:Put"], "Filter": _rules("", ".x")}
            ],
            "LambdaFunctionConfigurations": [_function(["s3:ObjectRemoved:*"])],
            "EventBridgeConfiguration": {},
        }
    )
    assert NotificationConfiguration.from_json(config.to_json()) == config


# -- validation errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(_functions({"Events": ["s3:ObjectCreated:*"]}), id="missing-arn"),
        pytest.param(_functions({"LambdaFunctionArn": FUNCTION}), id="missing-events"),
        pytest.param(_functions({"LambdaFunctionArn": FUNCTION, "Events": []}), id="no-events"),
        pytest.param(
            _functions(
                {
                    **_function(["s3:ObjectCreated:*"]),
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix"}]}},
                }
            ),
            id="rule-without-value",
        ),
        pytest.param(
            _functions(
                {
                    **_function(["s3:ObjectCreated:*"]),
                    "Filter": {"Key": {"FilterRules": [{"Value": "a"}]}},
                }
            ),
            id="rule-without-name",
        ),
        pytest.param({"QueueConfigurations": {"QueueArn": QUEUE}}, id="not-a-list"),
    ],
)
def test_missing_required_members_are_malformed_xml(config: dict[str, Any]) -> None:
    error = _error(config)
    assert isinstance(error, MalformedXML)
    assert error.code == "MalformedXML"
    assert error.status_code == 400
    assert error.message == (
        "The XML you provided was not well-formed or did not validate against our published schema"
    )


@pytest.mark.parametrize(
    ("list_key", "arn_key", "arn", "argument_name"),
    [
        pytest.param("QueueConfigurations", "QueueArn", "invalid-queue", "Queue", id="queue"),
        pytest.param("TopicConfigurations", "TopicArn", "invalid-topic", "Topic", id="topic"),
        pytest.param(
            "LambdaFunctionConfigurations",
            "LambdaFunctionArn",
            "invalid-queue",
            "CloudFunction",
            id="function",
        ),
        pytest.param("QueueConfigurations", "QueueArn", TOPIC, "Queue", id="topic-arn-as-queue"),
        pytest.param(
            "LambdaFunctionConfigurations",
            "LambdaFunctionArn",
            "arn:aws:lambda:us-east-1:000000000000:layer:x",
            "CloudFunction",
            id="not-a-function",
        ),
        pytest.param(
            "QueueConfigurations",
            "QueueArn",
            "arn:aws:sqs:us-east-1:123:q",
            "Queue",
            id="short-account",
        ),
    ],
)
def test_unparseable_arn_is_rejected_with_its_xml_name(
    list_key: str, arn_key: str, arn: str, argument_name: str
) -> None:
    config = {list_key: [{arn_key: arn, "Events": ["s3:ObjectCreated:*"]}]}
    error = _error(config)
    assert isinstance(error, InvalidArgument)
    assert (error.code, error.status_code) == ("InvalidArgument", 400)
    assert error.message == "The ARN could not be parsed"
    assert error.fields == {"ArgumentName": argument_name, "ArgumentValue": arn}


def test_arn_syntax_is_checked_even_when_destination_validation_is_skipped() -> None:
    config = {
        "QueueConfigurations": [{"QueueArn": "invalid-queue", "Events": ["s3:ObjectCreated:*"]}]
    }
    assert _error(config, destination_exists=None).message == "The ARN could not be parsed"


def test_first_unparseable_arn_is_reported() -> None:
    config = {
        "QueueConfigurations": [
            {"Id": "id1", "Events": ["s3:ObjectCreated:*"], "QueueArn": "invalid_arn"},
            {"Id": "id2", "Events": ["s3:ObjectRemoved:*"], "QueueArn": "invalid_arn_2"},
        ]
    }
    assert _error(config).fields["ArgumentValue"] == "invalid_arn"


def test_arn_syntax_is_checked_before_destinations_exist() -> None:
    config = {
        "QueueConfigurations": [
            {"Id": "id1", "Events": ["s3:ObjectCreated:*"], "QueueArn": QUEUE},
            {"Id": "id2", "Events": ["s3:ObjectRemoved:*"], "QueueArn": "invalid_arn_2"},
        ]
    }
    error = _error(config, destination_exists=lambda kind, arn: False)
    assert error.message == "The ARN could not be parsed"
    assert error.fields["ArgumentValue"] == "invalid_arn_2"


@pytest.mark.parametrize(
    "event",
    [
        "notarealeventname",
        "s3:ObjectCreated",
        "s3:ObjectCreated:Delete",
        "ObjectCreated:Put",
        "s3:*",
        "s3:objectcreated:*",
    ],
)
def test_unknown_event_is_not_supported(event: str) -> None:
    error = _error(_functions(_function([event])))
    assert isinstance(error, InvalidArgument)
    assert error.message == "The event is not supported for notifications"


def test_filter_rule_name_must_be_prefix_or_suffix() -> None:
    config = _functions(
        {
            **_function(["s3:ObjectCreated:*"]),
            "Filter": {"Key": {"FilterRules": [{"Name": "INVALID", "Value": "does not matter"}]}},
        }
    )
    error = _error(config)
    assert isinstance(error, InvalidArgument)
    assert error.message == "filter rule name must be either prefix or suffix"
    assert error.fields == {"ArgumentName": "FilterRule.Name", "ArgumentValue": "INVALID"}


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        pytest.param(
            "prefix", "Prefix", "Cannot specify more than one prefix rule in a filter.", id="prefix"
        ),
        pytest.param(
            "suffix", "SUFFIX", "Cannot specify more than one suffix rule in a filter.", id="suffix"
        ),
    ],
)
def test_filter_allows_one_rule_of_each_name(first: str, second: str, message: str) -> None:
    rules = [{"Name": first, "Value": "a"}, {"Name": second, "Value": "b"}]
    config = _functions(
        {**_function(["s3:ObjectCreated:*"]), "Filter": {"Key": {"FilterRules": rules}}}
    )
    error = _error(config)
    assert isinstance(error, InvalidArgument)
    assert error.message == message


def test_filter_rule_value_is_limited_to_1024_bytes() -> None:
    ok = "\u00e9" * 512  # 1024 bytes in UTF-8
    parse_notification_configuration(_functions(_function(["s3:ObjectCreated:*"], prefix=ok)))
    error = _error(_functions(_function(["s3:ObjectCreated:*"], prefix=ok + "x")))
    assert error.message == (
        "Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation"
    )


# -- overlaps --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(["s3:ObjectCreated:*"], ["s3:ObjectCreated:*"], id="same-wildcard"),
        pytest.param(["s3:ObjectCreated:*"], ["s3:ObjectCreated:Put"], id="wildcard-covers-put"),
        pytest.param(
            ["s3:ObjectRemoved:Delete", "s3:ObjectCreated:Copy"],
            ["s3:ObjectCreated:Copy"],
            id="one-shared-of-several",
        ),
        pytest.param(["s3:LifecycleTransition"], ["s3:LifecycleTransition"], id="no-action"),
    ],
)
def test_unfiltered_configurations_sharing_an_event_overlap(
    first: list[str], second: list[str]
) -> None:
    error = _error(_functions(_function(first), _function(second, OTHER_FUNCTION)))
    assert isinstance(error, InvalidArgument)
    assert error.message == OVERLAP
    assert error.fields == {"ArgumentName": "Event"}


def test_overlap_is_checked_across_destination_kinds() -> None:
    config = {
        "TopicConfigurations": [{"TopicArn": TOPIC, "Events": ["s3:ObjectCreated:Put"]}],
        "LambdaFunctionConfigurations": [_function(["s3:ObjectCreated:*"])],
    }
    assert _error(config).message == OVERLAP


def test_same_destination_twice_for_the_same_event_overlaps() -> None:
    assert (
        _error(
            _functions(_function(["s3:ObjectCreated:*"]), _function(["s3:ObjectCreated:*"]))
        ).message
        == OVERLAP
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            _function(["s3:ObjectCreated:*"]),
            _function(["s3:ObjectCreated:*"], OTHER_FUNCTION, prefix="images"),
            id="aws-doc-root-prefix",
        ),
        pytest.param(
            _function(["s3:ObjectCreated:*"], suffix="jpg"),
            _function(["s3:ObjectCreated:Put"], OTHER_FUNCTION, suffix="pg"),
            id="aws-doc-suffixes",
        ),
        pytest.param(
            _function(["s3:ObjectCreated:*"], prefix="images", suffix="jpg"),
            _function(["s3:ObjectCreated:Put"], OTHER_FUNCTION, suffix="jpg"),
            id="aws-doc-prefix-and-suffix",
        ),
        pytest.param(
            _function(["s3:ObjectCreated:*"], prefix="uploads/"),
            _function(["s3:ObjectCreated:*"], OTHER_FUNCTION, prefix="uploads/cats/"),
            id="nested-prefixes",
        ),
    ],
)
def test_overlapping_filters_on_a_shared_event_are_ambiguous(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    error = _error(_functions(first, second))
    assert isinstance(error, InvalidArgument)
    assert error.message == AMBIGUOUS


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            _function(["s3:ObjectCreated:Put"], prefix="images/"),
            _function(["s3:ObjectCreated:Put"], OTHER_FUNCTION, prefix="logs/"),
            id="aws-doc-distinct-prefixes",
        ),
        pytest.param(
            _function(["s3:ObjectCreated:Put"], suffix=".jpg"),
            _function(["s3:ObjectCreated:Put"], OTHER_FUNCTION, suffix=".png"),
            id="aws-doc-distinct-suffixes",
        ),
        pytest.param(
            _function(["s3:ObjectCreated:Put"], prefix="images", suffix=".jpg"),
            _function(["s3:ObjectCreated:Put"], OTHER_FUNCTION, prefix="images", suffix=".png"),
            id="aws-doc-shared-prefix-distinct-suffixes",
        ),
        pytest.param(
            _function(["s3:ObjectCreated:Put"], prefix="image/"),
            _function(["s3:ObjectRemoved:*"], OTHER_FUNCTION, prefix="image/"),
            id="aws-doc-same-filter-other-event",
        ),
        pytest.param(
            _function(["s3:ObjectCreated:*"]),
            _function(["s3:ObjectRemoved:*"], OTHER_FUNCTION),
            id="created-and-removed",
        ),
        pytest.param(
            _function(["s3:ObjectCreated:Put"]),
            _function(["s3:ObjectCreated:Copy"], OTHER_FUNCTION),
            id="distinct-actions",
        ),
    ],
)
def test_configurations_that_cannot_fire_together_are_accepted(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    config = parse_notification_configuration(_functions(first, second))
    assert len(config.targets) == 2


# -- destination validation ------------------------------------------------------------------


def test_missing_destinations_are_listed_in_one_error() -> None:
    missing_queue = "arn:aws:sqs:us-east-1:000000000000:my-queue-2"
    config = {
        "QueueConfigurations": [
            {"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"]},
            {"QueueArn": missing_queue, "Events": ["s3:ObjectRemoved:*"]},
            {"QueueArn": QUEUE, "Events": ["s3:ObjectTagging:*"]},
        ],
        "TopicConfigurations": [{"TopicArn": TOPIC, "Events": ["s3:ObjectAcl:Put"]}],
        "LambdaFunctionConfigurations": [_function(["s3:ObjectRestore:*"])],
    }
    asked: list[tuple[str, str]] = []

    def exists(kind: str, arn: str) -> bool:
        asked.append((kind, arn))
        return False

    error = _error(config, destination_exists=exists)
    assert isinstance(error, InvalidArgument)
    assert error.message == UNVALIDATED
    assert error.fields == {
        "ArgumentName1": TOPIC,
        "ArgumentValue1": "The destination topic does not exist",
        "ArgumentName2": QUEUE,
        "ArgumentValue2": "The destination queue does not exist",
        "ArgumentName3": missing_queue,
        "ArgumentValue3": "The destination queue does not exist",
        "ArgumentName4": f"{FUNCTION}, null",
        "ArgumentValue4": f"Not authorized to invoke function [{FUNCTION}]",
    }
    assert ("function", FUNCTION) in asked and ("topic", TOPIC) in asked


def test_existing_destinations_pass_validation() -> None:
    config = parse_notification_configuration(
        {"QueueConfigurations": [{"QueueArn": QUEUE, "Events": ["s3:ObjectCreated:*"]}]},
        destination_exists=lambda kind, arn: (kind, arn) == ("queue", QUEUE),
    )
    assert config.targets[0].arn == QUEUE


# -- matching events -------------------------------------------------------------------------


def _config() -> NotificationConfiguration:
    return parse_notification_configuration(
        {
            "TopicConfigurations": [
                {"Id": "deletes", "TopicArn": TOPIC, "Events": ["s3:ObjectRemoved:Delete"]}
            ],
            "QueueConfigurations": [
                {
                    "Id": "logs",
                    "QueueArn": QUEUE,
                    "Events": ["s3:ObjectCreated:Put"],
                    "Filter": _rules(prefix="logs/"),
                }
            ],
            "LambdaFunctionConfigurations": [
                {
                    **_function(["s3:ObjectCreated:*"], prefix="uploads/", suffix=".jpg"),
                    "Id": "jpg",
                },
                {
                    **_function(
                        ["s3:ObjectCreated:*"], OTHER_FUNCTION, prefix="uploads/", suffix=".png"
                    ),
                    "Id": "png",
                },
            ],
        }
    )


@pytest.mark.parametrize(
    ("event_name", "key", "ids"),
    [
        pytest.param("s3:ObjectCreated:Put", "uploads/cat.jpg", ["jpg"], id="wildcard-put"),
        pytest.param(
            "s3:ObjectCreated:CompleteMultipartUpload",
            "uploads/a.png",
            ["png"],
            id="wildcard-multipart",
        ),
        pytest.param("ObjectCreated:Copy", "uploads/cat.jpg", ["jpg"], id="without-s3-prefix"),
        pytest.param("s3:ObjectCreated:Put", "logs/today.log", ["logs"], id="queue-prefix"),
        pytest.param("s3:ObjectCreated:Copy", "logs/today.log", [], id="exact-event-only"),
        pytest.param("s3:ObjectCreated:Put", "uploads/cat.gif", [], id="suffix-filtered"),
        pytest.param("s3:ObjectRemoved:Delete", "uploads/cat.jpg", ["deletes"], id="delete"),
        pytest.param("s3:ObjectRemoved:DeleteMarkerCreated", "x", [], id="other-removal"),
        pytest.param("s3:ObjectTagging:Put", "uploads/cat.jpg", [], id="unconfigured-group"),
    ],
)
def test_matching_targets_by_event_type_and_raw_key(
    event_name: str, key: str, ids: list[str]
) -> None:
    targets = matching_targets(_config(), event_name, key)
    assert [t.configuration_id for t in targets] == ids


def test_filters_match_the_url_encoded_key_as_s3_documents() -> None:
    config = parse_notification_configuration(
        _functions(_function(["s3:ObjectCreated:*"], prefix="my+photos/"))
    )
    assert matching_targets(config, "s3:ObjectCreated:Put", "my photos/a.jpg")
    assert not matching_targets(config, "s3:ObjectCreated:Put", "my+photos/a.jpg")


@pytest.mark.parametrize(
    ("pattern", "event_name", "expected"),
    [
        ("s3:ObjectCreated:*", "s3:ObjectCreated:Put", True),
        ("s3:ObjectCreated:*", "s3:ObjectCreated:*", True),
        ("s3:ObjectCreated:Put", "s3:ObjectCreated:Put", True),
        ("s3:ObjectCreated:Put", "s3:ObjectCreated:Post", False),
        ("s3:ObjectCreated:*", "s3:ObjectRemoved:Delete", False),
        ("s3:Replication:*", "s3:Replication:OperationFailedReplication", True),
        ("s3:LifecycleExpiration:*", "s3:LifecycleTransition", False),
    ],
)
def test_event_wildcards_cover_their_group(pattern: str, event_name: str, expected: bool) -> None:
    assert event_matches(pattern, event_name) is expected


def test_event_lists_overlap_in_either_direction() -> None:
    assert events_overlap(["s3:ObjectCreated:Put"], ["s3:ObjectCreated:*"])
    assert events_overlap(["s3:ObjectCreated:*"], ["s3:ObjectCreated:Put"])
    assert not events_overlap(["s3:ObjectCreated:*"], ["s3:ObjectRemoved:*"])
