"""SNS subscription filter policies on top of the pattern engine.

What SNS adds (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html,
``message-filtering-apply.html``, ``sns-message-attributes.md``):

- scope ``MessageAttributes`` (the default) matches the message attributes and allows no
  nesting; ``String`` values are strings, ``Number`` values numbers, ``String.Array`` values
  a JSON array whose elements are tested one by one, and ``Binary`` attributes are not
  considered at all;
- scope ``MessageBody`` matches the message parsed as a JSON object (anything else matches
  nothing) and allows nesting;
- at most 5 keys (in body scope only the top-level keys count), at most 150 combinations of
  values (each array's length times its depth, ``$or`` branches added), at most 256 KB.

`FilterPolicyError` carries the reason as SNS words it after ``FilterPolicy:``; the SNS service
prefixes it the way the operation does (``Invalid parameter: FilterPolicy: ...``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventsim.matching.patterns import Matcher, PatternError, compile_pattern

__all__ = [
    "MAX_COMBINATIONS",
    "MAX_KEYS",
    "MAX_POLICY_BYTES",
    "FilterPolicy",
    "FilterPolicyError",
    "attributes_document",
    "compile_filter_policy",
]

MAX_KEYS = 5
MAX_COMBINATIONS = 150
MAX_POLICY_BYTES = 256 * 1024

ATTRIBUTES = "MessageAttributes"
BODY = "MessageBody"


class FilterPolicyError(ValueError):
    """An invalid filter policy; the message is AWS's reason."""


@dataclass(frozen=True, slots=True)
class FilterPolicy:
    """A compiled filter policy and the scope it applies to."""

    matcher: Matcher
    scope: str

    def matches(self, message: str, attributes: Mapping[str, Mapping[str, Any]]) -> bool:
        """Whether a message (its text and its ``MessageAttributes`` as the API shapes them)
        passes the policy."""
        if self.scope == BODY:
            try:
                document = json.loads(message)
            except ValueError:
                return False
            return self.matcher.matches(document)
        return self.matcher.matches(attributes_document(attributes))


def attributes_document(attributes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Message attributes as the document an attribute-scope policy is matched against."""
    document: dict[str, Any] = {}
    for name, attribute in attributes.items():
        data_type = str(attribute.get("DataType", ""))
        text = attribute.get("StringValue")
        if data_type.startswith("Binary") or text is None:
            continue
        if data_type.startswith("Number"):
            try:
                number = float(text)
            except ValueError:
                continue
            document[name] = number if math.isfinite(number) else text
        elif data_type.startswith("String.Array"):
            try:
                values = json.loads(text)
            except ValueError:
                continue
            if isinstance(values, list):
                document[name] = values
        else:
            document[name] = text
    return document


def compile_filter_policy(text: str, scope: str | None = None) -> FilterPolicy:
    """Parse, check and compile a policy; raises `FilterPolicyError` when it is invalid."""
    scope = scope or ATTRIBUTES
    if len(text.encode("utf-8")) > MAX_POLICY_BYTES:
        raise FilterPolicyError("Filter policy is too long")
    try:
        policy = json.loads(text)
    except ValueError:
        raise FilterPolicyError("failed to parse JSON.") from None
    if not isinstance(policy, dict):
        raise FilterPolicyError("Filter policy must be a JSON object")
    if len(policy) > MAX_KEYS:
        raise FilterPolicyError("Filter policy can not have more than 5 keys")
    if _combinations(policy, scope, 1) > MAX_COMBINATIONS:
        raise FilterPolicyError("Filter policy is too complex")
    try:
        matcher = compile_pattern(policy)
    except PatternError as exc:
        raise FilterPolicyError(str(exc)) from None
    return FilterPolicy(matcher, scope)


def _combinations(policy: Mapping[str, Any], scope: str, depth: int) -> int:
    """SNS's complexity measure: the product, over the policy's arrays, of each array's length
    times its nesting depth; ``$or`` adds up its branches."""
    total = 1
    for key, value in policy.items():
        if key == "$or" and isinstance(value, list):
            total *= sum(_combinations(branch, scope, depth) for branch in value
                         if isinstance(branch, Mapping)) or 1
        elif isinstance(value, Mapping):
            if scope == ATTRIBUTES:
                raise FilterPolicyError(
                    "Filter policy scope MessageAttributes does not support nested filter policy")
            total *= _combinations(value, scope, depth + 1)
        elif isinstance(value, list):
            if not value:
                raise FilterPolicyError("Empty arrays are not allowed")
            total *= len(value) * depth
        else:
            raise FilterPolicyError(f'"{key}" must be an object or an array')
    return total
