"""The JSON Schema of scenario files, generated from the pydantic models, for editors.

Two things differ from pydantic's own schema, because the file is not what the models see:

* A step or expectation is written as a single-key mapping (``- put_object: {...}``) whose
  key picks the model (the models unwrap it before validating), so each one's schema is
  ``{put_object: <fields>}`` with that key required, and a bare ``settle`` string is allowed.
* A number or boolean may be written as a ``${...}`` reference (``Timeout: ${timeout}``),
  substituted before validation, so those fields also accept such a string.

``schema/scenario.schema.json`` in the repository is this schema; a test fails when it is
stale (``eventsim schema > schema/scenario.schema.json`` refreshes it).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from eventsim.scenario.model import Scenario

__all__ = ["scenario_json_schema", "scenario_json_schema_text"]

_REFERENCE = {"type": "string", "pattern": r"^\$\{[^}]+\}$",
              "description": "a ${...} reference, substituted before validation"}


class _ScenarioSchema(GenerateJsonSchema):
    def _or_reference(self, schema: JsonSchemaValue) -> JsonSchemaValue:
        return {"anyOf": [schema, dict(_REFERENCE)]}

    def int_schema(self, schema: core_schema.IntSchema) -> JsonSchemaValue:
        return self._or_reference(super().int_schema(schema))

    def float_schema(self, schema: core_schema.FloatSchema) -> JsonSchemaValue:
        return self._or_reference(super().float_schema(schema))

    def bool_schema(self, schema: core_schema.BoolSchema) -> JsonSchemaValue:
        return self._or_reference(super().bool_schema(schema))

    def tagged_union_schema(self, schema: core_schema.TaggedUnionSchema) -> JsonSchemaValue:
        # Steps and expectations: a callable discriminator that pydantic cannot describe, so
        # each choice is wrapped in its single key here.
        if callable(schema["discriminator"]):
            choices = []
            for tag, choice in schema["choices"].items():
                inner = self.generate_inner(choice)
                if tag == "settle":  # ``- settle:`` with nothing after it
                    inner = {"anyOf": [inner, {"type": "null"}]}
                wrapped: JsonSchemaValue = {
                    "type": "object",
                    "properties": {str(tag): inner},
                    "required": [str(tag)],
                    "additionalProperties": False,
                }
                choices.append(wrapped)
                if tag == "settle":
                    choices.append({"const": "settle"})
            return {"oneOf": choices}
        return super().tagged_union_schema(schema)


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    schema = Scenario.model_json_schema(by_alias=True, schema_generator=_ScenarioSchema)
    return {
        **schema,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "eventsim scenario",
    }


def scenario_json_schema_text() -> str:
    """The schema as the committed file holds it: sorted keys, two-space indent, a newline."""
    return json.dumps(scenario_json_schema(), indent=2, sort_keys=True) + "\n"
