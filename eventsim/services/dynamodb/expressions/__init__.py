"""DynamoDB's expression language: tokenizer, recursive-descent parser, evaluator.

`parse_condition`, `parse_update`, `parse_projection` and `parse_key_condition` turn text into
syntax trees (`nodes`) with ``#name`` / ``:value`` already substituted from a `Substitutions`;
`evaluate`, `apply_update` and `project` run them against an item.
"""

from eventsim.services.dynamodb.expressions.evaluate import (
    condition_paths,
    evaluate,
    project,
    resolve_path,
)
from eventsim.services.dynamodb.expressions.keycondition import KeyCondition, parse_key_condition
from eventsim.services.dynamodb.expressions.parser import (
    parse_condition,
    parse_projection,
    parse_update,
)
from eventsim.services.dynamodb.expressions.substitution import Substitutions
from eventsim.services.dynamodb.expressions.update import apply_update, updated_paths

__all__ = [
    "KeyCondition",
    "Substitutions",
    "apply_update",
    "condition_paths",
    "evaluate",
    "parse_condition",
    "parse_key_condition",
    "parse_projection",
    "parse_update",
    "project",
    "resolve_path",
    "updated_paths",
]
