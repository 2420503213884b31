"""SNS filter policies: attribute types, scopes and AWS's limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from eventsim.matching.sns_policy import FilterPolicyError, compile_filter_policy


def _attrs(**values: tuple[str, str]) -> dict[str, dict[str, Any]]:
    return {name: {"DataType": kind, "StringValue": value}
            for name, (kind, value) in values.items()}


def _policy(policy: dict[str, Any], scope: str | None = None) -> Any:
    return compile_filter_policy(json.dumps(policy), scope)


def test_string_attribute_matches_exact_value() -> None:
    policy = _policy({"store": ["example_corp"]})
    assert policy.matches("m", _attrs(store=("String", "example_corp")))
    assert not policy.matches("m", _attrs(store=("String", "other")))
    assert not policy.matches("m", {})


def test_number_attribute_matches_numeric_conditions_not_strings() -> None:
    policy = _policy({"price": [{"numeric": [">=", 100]}]})
    assert policy.matches("m", _attrs(price=("Number", "1.5e2")))
    assert not policy.matches("m", _attrs(price=("Number", "99")))
    assert not policy.matches("m", _attrs(price=("String", "150")))


def test_string_array_attribute_matches_when_any_element_does() -> None:
    policy = _policy({"sports": ["rugby"]})
    assert policy.matches("m", _attrs(sports=("String.Array", '["soccer", "rugby"]')))
    assert not policy.matches("m", _attrs(sports=("String.Array", '["soccer"]')))
    assert not policy.matches("m", _attrs(sports=("String.Array", "not json")))


def test_binary_attribute_is_not_considered() -> None:
    policy = _policy({"blob": [{"exists": True}]})
    binary = {"blob": {"DataType": "Binary", "BinaryValue": b"\x00"}}
    assert not policy.matches("m", binary)


def test_custom_type_suffix_keeps_base_type() -> None:
    policy = _policy({"n": [{"numeric": ["=", 3]}]})
    assert policy.matches("m", _attrs(n=("Number.float", "3.0")))


def test_body_scope_matches_nested_json_body() -> None:
    policy = _policy({"order": {"type": ["book"], "total": [{"numeric": [">", 10]}]}},
                     "MessageBody")
    assert policy.matches(json.dumps({"order": {"type": "book", "total": 12}}), {})
    assert not policy.matches(json.dumps({"order": {"type": "book", "total": 9}}), {})


def test_body_scope_non_json_body_does_not_match() -> None:
    policy = _policy({"k": [{"exists": False}]}, "MessageBody")
    assert not policy.matches("plain text", {})
    assert not policy.matches("[1, 2]", {})


def test_body_scope_ignores_attributes() -> None:
    policy = _policy({"store": ["a"]}, "MessageBody")
    assert not policy.matches("{}", _attrs(store=("String", "a")))


def test_attribute_scope_rejects_nesting() -> None:
    with pytest.raises(FilterPolicyError) as exc:
        _policy({"a": {"b": ["c"]}})
    assert str(exc.value) == (
        "Filter policy scope MessageAttributes does not support nested filter policy")


def test_more_than_five_keys_is_rejected() -> None:
    _policy({f"k{i}": ["v"] for i in range(5)})
    with pytest.raises(FilterPolicyError) as exc:
        _policy({f"k{i}": ["v"] for i in range(6)})
    assert str(exc.value) == "Filter policy can not have more than 5 keys"


def test_body_scope_counts_only_top_level_keys() -> None:
    _policy({"a": {f"k{i}": ["v"] for i in range(6)}}, "MessageBody")


def test_more_than_150_combinations_is_too_complex() -> None:
    _policy({"a": [str(i) for i in range(10)], "b": [str(i) for i in range(15)]})  # 150
    with pytest.raises(FilterPolicyError) as exc:
        _policy({"a": [str(i) for i in range(10)], "b": [str(i) for i in range(16)]})
    assert str(exc.value) == "Filter policy is too complex"


def test_nested_combinations_multiply_by_depth() -> None:
    # AWS's example: 4 values three levels deep and 3 values two levels deep: 3x4x2x3 = 72.
    ok = {"a": {"b": {"c": ["1", "2", "3", "4"]}}, "d": {"e": ["1", "2", "3"]}}
    _policy(ok, "MessageBody")
    too_many = {"a": {"b": {"c": [str(i) for i in range(13)]}}, "d": {"e": ["1", "2"]}}  # 156
    with pytest.raises(FilterPolicyError, match="too complex"):
        _policy(too_many, "MessageBody")


def test_or_branches_add_up_combinations() -> None:
    policy = {"$or": [{"a": [str(i) for i in range(100)]}, {"b": [str(i) for i in range(51)]}]}
    with pytest.raises(FilterPolicyError, match="too complex"):
        _policy(policy)


def test_invalid_json_is_rejected() -> None:
    with pytest.raises(FilterPolicyError) as exc:
        compile_filter_policy("{not json")
    assert str(exc.value) == "failed to parse JSON."


def test_oversized_policy_is_rejected() -> None:
    with pytest.raises(FilterPolicyError, match="too long"):
        compile_filter_policy(json.dumps({"k": ["x" * (256 * 1024)]}))


def test_operator_errors_come_from_the_pattern_engine() -> None:
    with pytest.raises(FilterPolicyError) as exc:
        _policy({"k": [{"numeric": [">", "one"]}]})
    assert str(exc.value) == "Value of > must be numeric"
