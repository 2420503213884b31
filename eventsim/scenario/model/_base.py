"""What every scenario model shares: forbidden extras, CloudFormation's string coercion,
``!Ref``/``!GetAtt`` taken as logical names, and the single-key mapping form of steps and
expectations.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    model_validator,
)
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

_FUNCTION_NAME = r"^[a-zA-Z0-9_-]{1,64}$"
# Lambda's Python runtime accepts ``dir/module.function`` and ``pkg.module.function``.
_HANDLER = r"^[A-Za-z_][\w]*([./][A-Za-z_][\w]*)*\.[A-Za-z_][\w]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _cloudformation_string(value: Any) -> Any:
    """CloudFormation turns numbers and booleans in string properties into strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


CfnString = Annotated[str, BeforeValidator(_cloudformation_string,
                                           json_schema_input_type=str | int | float | bool)]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _ref(value: Any) -> Any:
    """SAM writes ``Bucket: !Ref Uploads`` (or ``{Ref: Uploads}``) and ``Stream: !GetAtt
    Orders.StreamArn`` (``{Fn::GetAtt: [Orders, StreamArn]}``); take the logical name."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return value["Ref"]
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
        target = value["Fn::GetAtt"]
        if isinstance(target, str):
            target = target.split(".", 1)
        if isinstance(target, list) and target and isinstance(target[0], str):
            return target[0]
    return value


class _Keyed(_Model):
    """A model written as the value of a single-key mapping: ``- put_object: {...}``."""

    KIND: ClassVar[str]
    """The mapping key that selects this model."""

    @model_validator(mode="before")
    @classmethod
    def _unwrap(cls, data: Any) -> Any:
        if isinstance(data, str) and data == cls.KIND:
            return {}  # a bare ``- settle``
        if isinstance(data, dict) and len(data) == 1 and cls.KIND in data:
            inner = data[cls.KIND]
            return {} if inner is None else inner
        return data


def _single_key(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if isinstance(key, str) else None
    return None


class _RefIntrinsic(TypedDict):
    Ref: str
_GetAttIntrinsic = TypedDict("_GetAttIntrinsic", {"Fn::GetAtt": list[str] | str})

LogicalName = Annotated[
    str, BeforeValidator(_ref, json_schema_input_type=str | _RefIntrinsic | _GetAttIntrinsic)]
"""A resource by name, or by ``!Ref Name`` / ``!GetAtt Name.Attribute`` as SAM writes it."""

OneOrMany = Annotated[list[str], BeforeValidator(_one_or_many,
                                                 json_schema_input_type=str | list[str])]
"""A list of strings, or one string standing for a list of it."""
