"""DynamoDB's expression language: parsing, AWS's error messages, evaluation, updates."""

from __future__ import annotations

from typing import Any

import pytest

from eventsim.errors import ValidationException
from eventsim.services.dynamodb.expressions import (
    Substitutions,
    apply_update,
    evaluate,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
    project,
)
from eventsim.services.dynamodb.expressions import nodes as n

ITEM: dict[str, Any] = {
    "id": {"S": "cat"},
    "legs": {"N": "4"},
    "pname": {"S": "Tom"},
    "tags": {"SS": ["pet", "small"]},
    "scores": {"NS": ["1", "2.5"]},
    "meta": {"M": {"color": {"S": "grey"}, "sizes": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}}},
    "things": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"deep": {"BOOL": True}}}]},
    "bin": {"B": b"\x01\x02\x03"},
    "nothing": {"NULL": True},
}


def cond(text: str, values: dict[str, Any] | None = None,
         names: dict[str, str] | None = None) -> n.Condition:
    return parse_condition(text, Substitutions(names, values))


def holds(text: str, values: dict[str, Any] | None = None,
          names: dict[str, str] | None = None, item: dict[str, Any] | None = None) -> bool:
    return evaluate(cond(text, values, names), ITEM if item is None else item)


def error(fn: Any, *args: Any) -> str:
    with pytest.raises(ValidationException) as info:
        fn(*args)
    return info.value.message


# -- parsing and precedence ----------------------------------------------------------------

def test_and_binds_tighter_than_or() -> None:
    tree = cond("a = :v OR b = :v AND c = :v", {":v": {"N": "1"}})
    assert isinstance(tree, n.Or)
    assert isinstance(tree.right, n.And)


def test_not_binds_tighter_than_and() -> None:
    tree = cond("NOT a = :v AND b = :v", {":v": {"N": "1"}})
    assert isinstance(tree, n.And)
    assert isinstance(tree.left, n.Not)


def test_parentheses_override_precedence() -> None:
    tree = cond("(a = :v OR b = :v) AND c = :v", {":v": {"N": "1"}})
    assert isinstance(tree, n.And)
    assert isinstance(tree.left, n.Or)


def test_keywords_are_case_insensitive() -> None:
    tree = cond("a between :v and :w or not b in (:v, :w)", {":v": {"N": "1"}, ":w": {"N": "2"}})
    assert isinstance(tree, n.Or)


def test_document_paths_parse_names_and_indexes() -> None:
    (path,) = parse_projection("meta.sizes[2].x", Substitutions())
    assert path.elements == ("meta", "sizes", 2, "x")


def test_names_are_substituted_in_paths() -> None:
    (path,) = parse_projection("#m.#c", Substitutions({"#m": "meta", "#c": "color"}))
    assert path.elements == ("meta", "color")


# -- AWS's messages ------------------------------------------------------------------------

def test_syntax_error_names_the_token_and_its_surroundings() -> None:
    message = error(parse_update, "SET a = = :b", Substitutions(None, {":b": {"N": "1"}}))
    assert message == 'Invalid UpdateExpression: Syntax error; token: "=", near: "= = :b"'


def test_syntax_error_at_the_end_names_eof() -> None:
    message = error(parse_condition, "a = ", Substitutions())
    assert message.startswith('Invalid ConditionExpression: Syntax error; token: "<EOF>"')


def test_empty_expression_is_rejected() -> None:
    assert error(parse_update, "", Substitutions()) == (
        "Invalid UpdateExpression: The expression can not be empty;"
    )


def test_reserved_word_as_a_name_is_rejected() -> None:
    message = error(parse_condition, "status = :s", Substitutions(None, {":s": {"S": "x"}}))
    assert message == (
        "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
        "status"
    )


def test_reserved_words_are_matched_in_any_case() -> None:
    assert "reserved keyword: Size" in error(
        parse_projection, "Size", Substitutions()
    )


def test_undefined_name_is_reported() -> None:
    message = error(parse_condition, "#n = :v", Substitutions(None, {":v": {"N": "1"}}))
    assert message == (
        "Invalid ConditionExpression: An expression attribute name used in the document path "
        "is not defined; attribute name: #n"
    )


def test_undefined_value_is_reported() -> None:
    message = error(parse_update, "SET a = :v", Substitutions())
    assert message == (
        "Invalid UpdateExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :v"
    )


def test_unused_values_and_names_are_reported() -> None:
    subs = Substitutions({"#a": "a"}, {":y": {"N": "2"}})
    parse_condition("#a = :y", subs)
    subs.check_unused()  # all used: no error
    subs = Substitutions(None, {":x": {"N": "1"}, ":y": {"N": "2"}})
    parse_condition("a = :y", subs)
    assert error(subs.check_unused) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"
    )
    subs = Substitutions({"#a": "a", "#b": "b"}, None)
    parse_projection("#a", subs)
    assert error(subs.check_unused) == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"
    )


def test_unknown_function_is_reported() -> None:
    assert error(parse_condition, "nope(a)", Substitutions()) == (
        "Invalid ConditionExpression: Invalid function name; function: nope"
    )


def test_function_with_wrong_operand_count_is_reported() -> None:
    assert error(parse_condition, "attribute_exists(a, b)", Substitutions()) == (
        "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
        "operator or function: attribute_exists, number of operands: 2"
    )


def test_begins_with_a_number_is_an_operand_type_error() -> None:
    message = error(parse_condition, "begins_with(a, :n)", Substitutions(None, {":n": {"N": "1"}}))
    assert message == (
        "Invalid ConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: begins_with, operand type: N"
    )


def test_attribute_type_rejects_unknown_type_names() -> None:
    message = error(parse_condition, "attribute_type(a, :t)",
                    Substitutions(None, {":t": {"S": "STRING"}}))
    assert "Invalid attribute type name found; type: STRING" in message


def test_between_with_bounds_reversed_is_rejected() -> None:
    message = error(parse_condition, "a BETWEEN :hi AND :lo",
                    Substitutions(None, {":hi": {"N": "5"}, ":lo": {"N": "1"}}))
    assert "The BETWEEN operator requires upper bound to be greater than or equal to lower" in (
        message
    )


def test_in_takes_at_most_100_operands() -> None:
    values = {f":v{i}": {"N": str(i)} for i in range(101)}
    message = error(parse_condition, f"a IN ({', '.join(values)})", Substitutions(None, values))
    assert "The IN operator is provided with too many operands; number of operands: 101" in message


def test_each_update_clause_at_most_once() -> None:
    message = error(parse_update, "SET a = :v SET b = :v", Substitutions(None, {":v": {"N": "1"}}))
    assert message == (
        'Invalid UpdateExpression: The "SET" section can only be used once in an update '
        "expression;"
    )


def test_overlapping_update_paths_are_rejected() -> None:
    message = error(parse_update, "SET a = :v REMOVE a.b",
                    Substitutions(None, {":v": {"N": "1"}}))
    assert message == (
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
        "rewrite one of these paths; path one: [a], path two: [a, b]"
    )


def test_same_path_twice_in_an_update_is_an_overlap() -> None:
    assert "Two document paths overlap" in error(
        parse_update, "SET a = :v, a = :v", Substitutions(None, {":v": {"N": "1"}})
    )


def test_condition_functions_are_not_allowed_in_updates() -> None:
    message = error(parse_update, "SET a = begins_with(b, :v)",
                    Substitutions(None, {":v": {"S": "x"}}))
    assert message == (
        "Invalid UpdateExpression: The function is not allowed in an update expression; "
        "function: begins_with"
    )


def test_invalid_character_is_a_syntax_error() -> None:
    assert 'token: "$"' in error(parse_condition, "a $ b", Substitutions())


# -- evaluation ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("legs = :four", True),
        ("legs = :fourpoint", True),  # numbers compare numerically: 4 = 4.0
        ("legs <> :four", False),
        ("legs < :five", True),
        ("legs >= :five", False),
        ("absent <> :four", True),
        ("absent = :four", False),
        ("absent < :four", False),
        ("pname < :four", False),  # different types never order
        ("legs BETWEEN :four AND :five", True),
        ("legs IN (:five, :four)", True),
        ("legs IN (:five)", False),
        ("attribute_exists(meta.color)", True),
        ("attribute_exists(meta.nope)", False),
        ("attribute_not_exists(meta.nope)", True),
        ("attribute_exists(things[2].deep)", True),
        ("attribute_exists(things[3])", False),
        ("attribute_type(tags, :ss)", True),
        ("attribute_type(legs, :ss)", False),
        ("begins_with(pname, :to)", True),
        ("begins_with(bin, :b)", True),
        ("contains(pname, :om)", True),
        ("contains(tags, :pet)", True),
        ("contains(scores, :twofive)", True),
        ("contains(things, :a)", True),
        ("size(tags) = :two", True),
        ("size(pname) = :three", True),
        ("size(meta.sizes) > :two", True),
        ("size(legs) = :one", False),  # size of a number is undefined
        ("NOT attribute_exists(absent) AND legs = :four", True),
        ("legs = :five OR pname = :tom", True),
    ],
)
def test_conditions_evaluate_as_dynamodb_does(text: str, expected: bool) -> None:
    values = {
        ":four": {"N": "4"}, ":fourpoint": {"N": "4.00"}, ":five": {"N": "5"},
        ":ss": {"S": "SS"}, ":to": {"S": "To"}, ":om": {"S": "om"}, ":pet": {"S": "pet"},
        ":twofive": {"N": "2.50"}, ":a": {"S": "a"}, ":two": {"N": "2"}, ":three": {"N": "3"},
        ":one": {"N": "1"}, ":tom": {"S": "Tom"}, ":b": {"B": b"\x01"},
    }
    used = {k: v for k, v in values.items() if k in text}
    assert holds(text, used) is expected


def test_strings_order_by_utf8_bytes() -> None:
    # U+FF21 (fullwidth A) sorts after U+1F600 in UTF-16 but before it in UTF-8.
    item = {"s": {"S": "\uff21"}}
    assert evaluate(cond("s < :emoji", {":emoji": {"S": "\U0001f600"}}), item)


def test_condition_against_no_item_sees_every_attribute_absent() -> None:
    assert evaluate(cond("attribute_not_exists(id)"), None)


# -- updates -------------------------------------------------------------------------------

def update(text: str, item: dict[str, Any], values: dict[str, Any] | None = None,
           names: dict[str, str] | None = None) -> dict[str, Any]:
    return apply_update(item, parse_update(text, Substitutions(names, values)))


def test_set_arithmetic_keeps_decimal_precision() -> None:
    result = update("SET n = n + :d", {"n": {"N": "0.1"}}, {":d": {"N": "0.2"}})
    assert result["n"] == {"N": "0.3"}
    big = update("SET n = n + :d", {"n": {"N": "12345678901234567890123456789012345678"}},
                 {":d": {"N": "1"}})
    assert big["n"] == {"N": "12345678901234567890123456789012345679"}


def test_set_subtraction() -> None:
    assert update("SET n = n - :d", {"n": {"N": "5"}}, {":d": {"N": "7.5"}})["n"] == {"N": "-2.5"}


def test_operands_are_read_from_the_item_before_the_update() -> None:
    result = update("SET a = :x, b = a", {"a": {"N": "1"}}, {":x": {"N": "2"}})
    assert result == {"a": {"N": "2"}, "b": {"N": "1"}}


def test_if_not_exists_and_list_append() -> None:
    result = update("SET l = list_append(if_not_exists(l, :empty), :new)", {},
                    {":empty": {"L": []}, ":new": {"L": [{"S": "x"}]}})
    assert result == {"l": {"L": [{"S": "x"}]}}
    result = update("SET l = list_append(:front, l)", {"l": {"L": [{"S": "b"}]}},
                    {":front": {"L": [{"S": "a"}]}})
    assert result["l"] == {"L": [{"S": "a"}, {"S": "b"}]}


def test_arithmetic_on_a_absent_attribute_is_an_error() -> None:
    message = error(update, "SET n = n + :d", {}, {":d": {"N": "1"}})
    assert message == (
        "The provided expression refers to an attribute that does not exist in the item"
    )


def test_arithmetic_on_a_string_is_an_error() -> None:
    message = error(update, "SET n = n + :d", {"n": {"S": "x"}}, {":d": {"N": "1"}})
    assert message == "An operand in the update expression has an incorrect data type"


def test_set_nested_path_needs_its_parent() -> None:
    message = error(update, "SET a.b = :v", {}, {":v": {"N": "1"}})
    assert message == "The document path provided in the update expression is invalid for update"


def test_set_nested_and_list_elements() -> None:
    item = {"m": {"M": {"l": {"L": [{"N": "1"}]}}}}
    result = update("SET m.l[0] = :v, m.l[5] = :w, m.x = :v", item,
                    {":v": {"N": "9"}, ":w": {"N": "7"}})
    assert result["m"]["M"]["l"] == {"L": [{"N": "9"}, {"N": "7"}]}  # past the end: appended
    assert result["m"]["M"]["x"] == {"N": "9"}
    assert item["m"]["M"]["l"] == {"L": [{"N": "1"}]}  # input untouched


def test_remove_list_indexes_name_the_old_list() -> None:
    item = {"l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "d"}]}}
    result = update("REMOVE l[1], l[2]", item)
    assert result["l"] == {"L": [{"S": "a"}, {"S": "d"}]}


def test_remove_absent_attribute_is_fine() -> None:
    assert update("REMOVE nope, a", {"a": {"N": "1"}}) == {}


def test_add_numbers_and_sets() -> None:
    result = update("ADD n :one, s :more", {"s": {"SS": ["a"]}},
                    {":one": {"N": "1"}, ":more": {"SS": ["a", "b"]}})
    assert result == {"n": {"N": "1"}, "s": {"SS": ["a", "b"]}}


def test_add_a_string_is_an_operand_type_error() -> None:
    message = error(update, "ADD s :x", {}, {":x": {"S": "x"}})
    assert message == (
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
        "ADD, operand type: STRING"
    )


def test_delete_from_set_removes_the_attribute_when_empty() -> None:
    item = {"s": {"NS": ["1", "2"]}}
    assert update("DELETE s :one", item, {":one": {"NS": ["1.0"]}}) == {"s": {"NS": ["2"]}}
    assert update("DELETE s :both", item, {":both": {"NS": ["1", "2"]}}) == {}


# -- projections ---------------------------------------------------------------------------

def test_projection_keeps_nested_shape() -> None:
    paths = parse_projection("id, meta.color, meta.sizes[1], things[2].deep, nope",
                             Substitutions())
    assert project(ITEM, paths) == {
        "id": {"S": "cat"},
        "meta": {"M": {"color": {"S": "grey"}, "sizes": {"L": [{"N": "2"}]}}},
        "things": {"L": [{"M": {"deep": {"BOOL": True}}}]},
    }


# -- key conditions ------------------------------------------------------------------------

KEYS = (("pk", "S"), ("sk", "N"))


def key(text: str, values: dict[str, Any]) -> Any:
    return parse_key_condition(text, Substitutions(None, values), *KEYS)


def test_key_condition_hash_and_range() -> None:
    got = key("pk = :p AND sk BETWEEN :a AND :b",
              {":p": {"S": "x"}, ":a": {"N": "1"}, ":b": {"N": "2"}})
    assert got.hash_value == {"S": "x"}
    assert got.sort_op == "BETWEEN"


def test_key_condition_value_first_is_flipped() -> None:
    got = key(":v < sk AND pk = :p", {":p": {"S": "x"}, ":v": {"N": "1"}})
    assert got.sort_op == ">"


def test_key_condition_without_the_hash_key() -> None:
    assert error(key, "sk = :v", {":v": {"N": "1"}}) == (
        "Query condition missed key schema element: pk"
    )


def test_key_condition_rejects_or() -> None:
    assert error(key, "pk = :p OR sk = :v", {":p": {"S": "x"}, ":v": {"N": "1"}}) == (
        "Invalid operator used in KeyConditionExpression: OR"
    )


def test_key_condition_rejects_non_key_attributes() -> None:
    assert "Query condition missed key schema element" in error(
        key, "pk = :p AND extra = :v", {":p": {"S": "x"}, ":v": {"N": "1"}}
    )


def test_key_condition_rejects_two_conditions_on_one_key() -> None:
    assert error(key, "pk = :p AND pk = :p", {":p": {"S": "x"}}) == (
        "KeyConditionExpressions must only contain one condition per key"
    )


def test_key_condition_hash_must_be_equality() -> None:
    assert error(key, "pk > :p", {":p": {"S": "x"}}) == "Query key condition not supported"


def test_key_condition_value_type_must_match() -> None:
    assert "Condition parameter type does not match schema type" in error(
        key, "pk = :p", {":p": {"N": "1"}}
    )


def test_overlapping_projection_paths_are_rejected() -> None:
    message = error(parse_projection, "meta, meta.color", Substitutions())
    assert message == (
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove "
        "or rewrite one of these paths; path one: [meta], path two: [meta, color]"
    )


def test_sum_needing_more_than_38_digits_is_refused() -> None:
    message = error(update, "SET n = n + :d", {"n": {"N": "1E+30"}}, {":d": {"N": "1E-30"}})
    assert message == "Attempting to store more than 38 significant digits in a Number"
