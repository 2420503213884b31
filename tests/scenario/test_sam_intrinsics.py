"""CloudFormation intrinsic functions, resolved without a template (`Resolver` alone)."""

from __future__ import annotations

from typing import Any

import pytest

from eventsim.scenario.sam.intrinsics import NO_VALUE, Context, IntrinsicError, Resolver
from eventsim.scenario.sam.reader import Loc

RESOURCES = {("Photos", None): "photos-bucket", ("Photos", "Arn"): "arn:aws:s3:::photos-bucket",
             ("Jobs", "Arn"): "arn:aws:sqs:eu-west-1:123456789012:jobs"}


def lookup(logical: str, attribute: str | None, path: Loc) -> Any:
    if (logical, attribute) not in RESOURCES:
        raise IntrinsicError(path, f"no resource {logical}")
    return RESOURCES[(logical, attribute)]


def resolver(**parameters: Any) -> Resolver:
    return Resolver(Context(
        region="eu-west-1", account_id="123456789012", stack_name="shop",
        parameters={"Stage": "dev", "Zones": ["a", "b"], **parameters},
        mappings={"Sizes": {"dev": {"Memory": 256}, "prod": {"Memory": 1024}}},
        conditions={"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
                    "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
                    "Both": {"Fn::And": [{"Condition": "IsDev"}, {"Fn::Equals": ["a", "a"]}]},
                    "Loop": {"Fn::Not": [{"Condition": "Loop"}]}},
        lookup=lookup))


def resolve(value: Any, **parameters: Any) -> Any:
    return resolver(**parameters).resolve(value, ("Resources", "X"))


def test_ref_gives_a_parameter_a_pseudo_parameter_or_a_resource() -> None:
    assert resolve({"Ref": "Stage"}) == "dev"
    assert resolve({"Ref": "AWS::Region"}) == "eu-west-1"
    assert resolve({"Ref": "AWS::AccountId"}) == "123456789012"
    assert resolve({"Ref": "AWS::StackName"}) == "shop"
    assert resolve({"Ref": "Photos"}) == "photos-bucket"


def test_get_att_takes_both_spellings() -> None:
    assert resolve({"Fn::GetAtt": ["Photos", "Arn"]}) == "arn:aws:s3:::photos-bucket"
    assert resolve({"Fn::GetAtt": "Jobs.Arn"}) == "arn:aws:sqs:eu-west-1:123456789012:jobs"


def test_sub_string_form_substitutes_pseudo_parameters_parameters_and_resources() -> None:
    text = "${AWS::StackName}-${Stage}/${Photos}/${Jobs.Arn}@${AWS::Region}:${AWS::AccountId}"
    assert resolve({"Fn::Sub": text}) == (
        "shop-dev/photos-bucket/arn:aws:sqs:eu-west-1:123456789012:jobs@eu-west-1:123456789012")


def test_sub_list_form_uses_its_variables_first() -> None:
    value = {"Fn::Sub": ["${Name}-${Stage}", {"Name": {"Ref": "Photos"}, "Stage": "override"}]}
    assert resolve(value) == "photos-bucket-override"


def test_sub_keeps_a_bang_literal() -> None:
    assert resolve({"Fn::Sub": "${!Literal}-${Stage}"}) == "${Literal}-dev"


def test_join_select_split() -> None:
    assert resolve({"Fn::Join": ["-", ["a", {"Ref": "Stage"}, 3]]}) == "a-dev-3"
    assert resolve({"Fn::Join": [",", {"Ref": "Zones"}]}) == "a,b"
    assert resolve({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}) == "y"
    assert resolve({"Fn::Select": ["0", {"Ref": "Zones"}]}) == "a"


def test_if_follows_the_condition() -> None:
    value = {"Fn::If": ["IsProd", "big", "small"]}
    assert resolve(value) == "small"
    assert resolve(value, Stage="prod") == "big"
    assert resolve({"Fn::If": ["Both", "yes", "no"]}) == "yes"


def test_no_value_drops_the_property() -> None:
    value = {"A": 1, "B": {"Fn::If": ["IsProd", 2, {"Ref": "AWS::NoValue"}]}}
    assert resolve(value) == {"A": 1}
    assert resolve({"Ref": "AWS::NoValue"}) is NO_VALUE


def test_find_in_map_base64_get_azs_length_to_json_string() -> None:
    assert resolve({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]}) == 256
    assert resolve({"Fn::Base64": "hi"}) == "aGk="
    assert resolve({"Fn::GetAZs": ""}) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert resolve({"Fn::Length": [1, 2, 3]}) == 3
    assert resolve({"Fn::ToJsonString": {"a": {"Ref": "Stage"}}}) == '{"a":"dev"}'


def test_nested_values_resolve_everywhere() -> None:
    value = {"List": [{"Ref": "Stage"}, {"Inner": {"Fn::GetAtt": "Photos.Arn"}}]}
    assert resolve(value) == {"List": ["dev", {"Inner": "arn:aws:s3:::photos-bucket"}]}


def test_a_mapping_with_ref_beside_other_keys_is_data() -> None:
    assert resolve({"Ref": "Stage", "Other": 1}) == {"Ref": "Stage", "Other": 1}


@pytest.mark.parametrize(("value", "message", "path"), [
    ({"Ref": "Nope"}, "no resource Nope", ("Resources", "X", "Ref")),
    ({"Fn::Sub": "${Nope.Arn}"}, "no resource Nope", ("Resources", "X", "Fn::Sub")),
    ({"Ref": "AWS::Nope"}, "AWS::Nope is not a pseudo parameter", ("Resources", "X", "Ref")),
    ({"Fn::Select": [5, ["a"]]}, "index 5 is outside a list of 1",
     ("Resources", "X", "Fn::Select")),
    ({"Fn::Join": ["-", "notalist"]}, "Fn::Join takes", ("Resources", "X", "Fn::Join")),
    ({"Fn::Sub": "${Zones}"}, "cannot put a list into a string", ("Resources", "X", "Fn::Sub")),
    ({"Fn::If": ["Missing", 1, 2]}, "no condition Missing", ("Resources", "X", "Fn::If")),
    ({"Fn::If": ["IsPrd", 1, 2]}, "did you mean IsProd?", ("Resources", "X", "Fn::If")),
    ({"Fn::If": ["Loop", 1, 2]}, "condition Loop depends on itself", None),
    ({"Fn::FindInMap": ["Sizes", "qa", "Memory"]}, "no key qa in Mappings.Sizes", None),
    ({"Fn::ImportValue": "x"}, "cannot resolve Fn::ImportValue", None),
    ({"Fn::GetAtt": ["OnlyOne"]}, "Fn::GetAtt takes", None),
])
def test_errors_name_the_function_and_where(value: Any, message: str, path: Loc | None) -> None:
    with pytest.raises(IntrinsicError) as caught:
        resolve({"Wrapper": [value]})
    assert message in caught.value.message
    if path is not None:
        assert caught.value.path == ("Resources", "X", "Wrapper", 0, *path[2:])


def test_conditions_are_evaluated_once() -> None:
    calls = []

    def counting(logical: str, attribute: str | None, path: Loc) -> Any:
        calls.append(logical)
        return "prod"

    r = Resolver(Context(region="r", account_id="1", stack_name="s",
                         conditions={"C": {"Fn::Equals": [{"Ref": "Thing"}, "prod"]}},
                         lookup=counting))
    assert r.condition("C", ()) and r.condition("C", ())
    assert calls == ["Thing"]
