"""The pattern engine: every operator, matching and not, and the reasons for invalid patterns."""

from __future__ import annotations

from typing import Any

import pytest

from eventsim.matching.patterns import PatternError, compile_pattern


def _matches(pattern: dict[str, Any], document: Any) -> bool:
    return compile_pattern(pattern).matches(document)


CASES = [
    # (id, pattern, matching document, non-matching document)
    ("exact-string", {"k": ["a", "b"]}, {"k": "b"}, {"k": "c"}),
    ("exact-string-case-sensitive", {"k": ["Rugby"]}, {"k": "Rugby"}, {"k": "rugby"}),
    ("exact-number", {"k": [301.5]}, {"k": 3.015e2}, {"k": 301}),
    ("exact-number-not-string", {"k": [5]}, {"k": 5}, {"k": "5"}),
    ("exact-true", {"k": [True]}, {"k": True}, {"k": 1}),
    ("exact-null", {"k": [None]}, {"k": None}, {"k": "null"}),
    ("array-any-element", {"k": ["a"]}, {"k": ["x", "a"]}, {"k": ["x", "y"]}),
    ("prefix", {"k": [{"prefix": "bas"}]}, {"k": "baseball"}, {"k": "abase"}),
    ("prefix-not-number", {"k": [{"prefix": "1"}]}, {"k": "12"}, {"k": 12}),
    ("prefix-ignore-case", {"k": [{"prefix": {"equals-ignore-case": "BAS"}}]},
     {"k": "basketball"}, {"k": "ball"}),
    ("suffix", {"k": [{"suffix": ".png"}]}, {"k": "cat.png"}, {"k": "cat.png.jpg"}),
    ("suffix-ignore-case", {"k": [{"suffix": {"equals-ignore-case": ".PNG"}}]},
     {"k": "cat.png"}, {"k": "cat.jpg"}),
    ("equals-ignore-case", {"k": [{"equals-ignore-case": "RuGbY"}]}, {"k": "rugby"},
     {"k": "rugby league"}),
    ("anything-but-values", {"k": [{"anything-but": ["rugby", "tennis"]}]}, {"k": "golf"},
     {"k": "tennis"}),
    ("anything-but-single", {"k": [{"anything-but": "rugby"}]}, {"k": "golf"}, {"k": "rugby"}),
    ("anything-but-number", {"k": [{"anything-but": 100}]}, {"k": 101}, {"k": 100.0}),
    ("anything-but-array-any-outside", {"k": [{"anything-but": ["a", "b"]}]},
     {"k": ["a", "c"]}, {"k": ["a", "b"]}),
    ("anything-but-missing", {"k": [{"anything-but": "a"}]}, {"k": "b"}, {}),
    ("anything-but-prefix", {"k": [{"anything-but": {"prefix": "order-"}}]},
     {"k": "invoice-1"}, {"k": "order-1"}),
    ("anything-but-suffix", {"k": [{"anything-but": {"suffix": ".tmp"}}]},
     {"k": "a.txt"}, {"k": "a.tmp"}),
    ("anything-but-ignore-case", {"k": [{"anything-but": {"equals-ignore-case": "A"}}]},
     {"k": "b"}, {"k": "a"}),
    ("numeric-equals", {"k": [{"numeric": ["=", 301.5]}]}, {"k": 301.5}, {"k": 301.6}),
    ("numeric-gt", {"k": [{"numeric": [">", 0]}]}, {"k": 0.1}, {"k": 0}),
    ("numeric-ge", {"k": [{"numeric": [">=", 0]}]}, {"k": 0}, {"k": -0.1}),
    ("numeric-lt", {"k": [{"numeric": ["<", 10]}]}, {"k": 9}, {"k": 10}),
    ("numeric-le", {"k": [{"numeric": ["<=", 10]}]}, {"k": 10}, {"k": 10.5}),
    ("numeric-range", {"k": [{"numeric": [">", 0, "<=", 150]}]}, {"k": 150}, {"k": 151}),
    ("numeric-range-low", {"k": [{"numeric": [">=", 0, "<", 150]}]}, {"k": 0}, {"k": -1}),
    ("numeric-not-string", {"k": [{"numeric": [">", 0]}]}, {"k": 5}, {"k": "5"}),
    ("exists-true", {"k": [{"exists": True}]}, {"k": "anything"}, {"j": "x"}),
    ("exists-false", {"k": [{"exists": False}]}, {"j": "x"}, {"k": "x"}),
    ("cidr-ipv4", {"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.255"}, {"ip": "10.0.1.0"}),
    ("cidr-ipv6", {"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db8::1"},
     {"ip": "2001:db9::1"}),
    ("cidr-not-an-ip", {"ip": [{"cidr": "10.0.0.0/8"}]}, {"ip": "10.1.2.3"}, {"ip": "ten"}),
    ("keys-anded", {"a": ["1"], "b": ["2"]}, {"a": "1", "b": "2", "c": "x"}, {"a": "1"}),
    ("nested", {"order": {"type": ["book"]}}, {"order": {"type": "book"}},
     {"order": {"type": "pen"}}),
    ("nested-array-of-objects", {"items": {"sku": [{"prefix": "B-"}]}},
     {"items": [{"sku": "A-1"}, {"sku": "B-2"}]}, {"items": [{"sku": "A-1"}]}),
    ("nested-missing-exists-false", {"order": {"coupon": [{"exists": False}]}}, {},
     {"order": {"coupon": "x"}}),
    ("or-top", {"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, {"a": "2", "b": "1"}),
    ("or-with-and", {"c": ["x"], "$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"c": "x", "a": "1"},
     {"c": "y", "a": "1"}),
    ("or-nested", {"o": {"$or": [{"a": ["1"]}, {"b": [{"numeric": [">", 5]}]}]}},
     {"o": {"b": 6}}, {"o": {"b": 5}}),
]


@pytest.mark.parametrize(("pattern", "yes", "no"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_operator_matches_and_rejects(pattern: dict[str, Any], yes: Any, no: Any) -> None:
    assert _matches(pattern, yes)
    assert not _matches(pattern, no)


def test_non_object_document_matches_nothing() -> None:
    assert not _matches({"k": [{"exists": False}]}, ["not", "an", "object"])


INVALID = [
    ("empty-array", {"k": []}, "Empty arrays are not allowed"),
    ("scalar-value", {"k": "a"}, '"k" must be an object or an array'),
    ("two-operators", {"k": [{"prefix": "a", "suffix": "b"}]},
     "Only one key allowed in match expression"),
    ("unknown-operator", {"k": [{"wildcard": "a*"}]}, "Unrecognized match type wildcard"),
    ("prefix-not-string", {"k": [{"prefix": 1}]}, "prefix match pattern must be a string"),
    ("suffix-not-string", {"k": [{"suffix": None}]}, "suffix match pattern must be a string"),
    ("ignore-case-not-string", {"k": [{"equals-ignore-case": 1}]},
     "equals-ignore-case match pattern must be a string"),
    ("exists-not-bool", {"k": [{"exists": "yes"}]},
     "exists match pattern must be either true or false."),
    ("anything-but-bad-inner", {"k": [{"anything-but": {"numeric": [">", 1]}}]},
     "Unsupported anything-but pattern: numeric"),
    ("numeric-empty", {"k": [{"numeric": []}]}, "Invalid member in numeric match: ]"),
    ("numeric-bad-operator", {"k": [{"numeric": ["!=", 1]}]},
     "Unrecognized numeric range operator: !="),
    ("numeric-first-not-operator", {"k": [{"numeric": [1, ">"]}]},
     "Invalid member in numeric match: 1"),
    ("numeric-value-not-number", {"k": [{"numeric": ["=", "1"]}]},
     "Value of equals must be numeric"),
    ("numeric-range-from-lt", {"k": [{"numeric": ["<", 1, ">", 0]}]},
     "Too many elements in numeric expression"),
    ("numeric-bad-upper-operator", {"k": [{"numeric": [">", 1, ">", 5]}]},
     "Bad numeric range operator: >"),
    ("numeric-upper-not-number", {"k": [{"numeric": [">", 1, "<", "5"]}]},
     "Value of < must be numeric"),
    ("numeric-bottom-above-top", {"k": [{"numeric": [">", 5, "<", 1]}]},
     "Bottom must be less than top"),
    ("numeric-too-many-terms", {"k": [{"numeric": [">", 0, "<", 5, "=", 1]}]},
     "Too many terms in numeric range expression"),
    ("cidr-no-slash", {"k": [{"cidr": "10.0.0.0"}]}, "Malformed CIDR, one '/' required"),
    ("cidr-bad-mask", {"k": [{"cidr": "10.0.0.0/x"}]},
     "Malformed CIDR, mask bits must be an integer"),
    ("cidr-bad-address", {"k": [{"cidr": "10.0.0.300/24"}]}, "Nonstandard IP address: 10.0.0.300"),
    ("list-in-list", {"k": [["a"]]}, "Match value must be String, number, true, false, or null"),
]


@pytest.mark.parametrize(("pattern", "reason"), [pytest.param(*c[1:], id=c[0]) for c in INVALID])
def test_invalid_pattern_raises_aws_reason(pattern: dict[str, Any], reason: str) -> None:
    with pytest.raises(PatternError) as exc:
        compile_pattern(pattern)
    assert str(exc.value) == reason
