"""Table definitions: keys, indexes, billing and stream settings; CreateTable's validation.

A `TableDef` is what the ``ddb_tables`` row holds (as JSON) and what the service keeps in
memory for every write: which attributes form the keys of the table and of each index.
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from eventsim.errors import ValidationException
from eventsim.services.dynamodb.keys import encode_key
from eventsim.services.dynamodb.values import AttributeValue, Item, type_of

__all__ = ["IndexDef", "KeyAttr", "StreamDef", "TableDef", "parse_table"]

_NAME = re.compile(r"^[a-zA-Z0-9_.-]{3,255}$")
VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")


@dataclass(frozen=True)
class KeyAttr:
    name: str
    type: str  # S, N or B


@dataclass(frozen=True)
class IndexDef:
    name: str
    kind: str  # "GSI" | "LSI"
    hash: KeyAttr
    range: KeyAttr | None
    projection: dict[str, Any]
    throughput: dict[str, int] | None = None

    def key_schema(self) -> list[dict[str, str]]:
        return _key_schema(self.hash, self.range)


@dataclass(frozen=True)
class StreamDef:
    arn: str
    label: str
    view_type: str


@dataclass(frozen=True)
class TableDef:
    name: str
    table_id: str
    hash: KeyAttr
    range: KeyAttr | None
    attribute_definitions: list[dict[str, str]]
    billing_mode: str
    throughput: dict[str, int] | None
    indexes: tuple[IndexDef, ...] = ()
    stream: StreamDef | None = None
    created_at: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def key_schema(self) -> list[dict[str, str]]:
        return _key_schema(self.hash, self.range)

    def key_names(self) -> tuple[str, ...]:
        return self._key_names

    @functools.cached_property
    def _key_attrs(self) -> tuple[tuple[KeyAttr, str], ...]:
        """The key attributes, with the word the limits on their size use for them."""
        if self.range is None:
            return ((self.hash, "hash"),)
        return ((self.hash, "hash"), (self.range, "range"))

    @functools.cached_property
    def _key_names(self) -> tuple[str, ...]:
        # Asked for by every write; kept in the instance, outside the fields (and so outside
        # the stored definition).
        return (self.hash.name,) if self.range is None else (self.hash.name, self.range.name)

    def index(self, name: str) -> IndexDef:
        for index in self.indexes:
            if index.name == name:
                return index
        raise ValidationException(
            f"The table does not have the specified index: {name}"
        )

    def key_of(self, item: Item) -> Item:
        return {k: item[k] for k in self._key_names if k in item}

    def encoded_key(self, item: Item) -> tuple[bytes, bytes]:
        pk = encode_key(item[self.hash.name])
        sk = encode_key(item[self.range.name]) if self.range is not None else b""
        return pk, sk

    def check_item_keys(self, item: Item) -> None:
        """PutItem's checks: every key attribute present, of its declared type, not empty."""
        for key, where in self._key_attrs:
            value = item.get(key.name)
            if value is None:
                raise ValidationException(
                    "One or more parameter values were invalid: Missing the key "
                    f"{key.name} in the item"
                )
            _check_key_value(key, value, where)
        for index in self.indexes:
            for attr in (index.hash, index.range):
                if attr is None or attr.name not in item:
                    continue
                if type_of(item[attr.name]) != attr.type:
                    raise ValidationException(
                        "One or more parameter values were invalid: Type mismatch for Index Key "
                        f"{attr.name} Expected: {attr.type} Actual: {type_of(item[attr.name])} "
                        f"IndexName: {index.name}"
                    )

    def check_key(self, key: Item) -> None:
        """A Key parameter: exactly the key attributes, of their types."""
        names = set(self.key_names())
        if set(key) != names:
            raise ValidationException("The provided key element does not match the schema")
        for attr, where in ((self.hash, "hash"), (self.range, "range")):
            if attr is not None:
                value = key[attr.name]
                if type_of(value) != attr.type:
                    raise ValidationException(
                        "The provided key element does not match the schema"
                    )
                _check_key_value(attr, value, where)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(data: dict[str, Any]) -> TableDef:
        def attr(d: dict[str, str] | None) -> KeyAttr | None:
            return KeyAttr(**d) if d else None

        indexes = tuple(
            IndexDef(
                name=i["name"], kind=i["kind"], hash=KeyAttr(**i["hash"]), range=attr(i["range"]),
                projection=i["projection"], throughput=i.get("throughput"),
            )
            for i in data["indexes"]
        )
        stream = StreamDef(**data["stream"]) if data.get("stream") else None
        return TableDef(
            name=data["name"], table_id=data["table_id"], hash=KeyAttr(**data["hash"]),
            range=attr(data["range"]), attribute_definitions=data["attribute_definitions"],
            billing_mode=data["billing_mode"], throughput=data["throughput"], indexes=indexes,
            stream=stream, created_at=data["created_at"], extra=data.get("extra", {}),
        )


def _check_key_value(attr: KeyAttr, value: AttributeValue, where: str) -> None:
    kind = attr.type
    raw = value.get(kind)  # a value holds one type: any other is a mismatch
    if raw is None:
        raise ValidationException(
            "One or more parameter values were invalid: Type mismatch for key "
            f"{attr.name} expected: {attr.type} actual: {type_of(value)}"
        )
    if kind == "N":
        return  # no limits but those of every number
    if len(raw) == 0:
        label = "string" if kind == "S" else "binary"
        raise ValidationException(
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            f"cannot contain an empty {label} value. Key: {attr.name}"
        )
    size = len(raw) if kind == "B" or raw.isascii() else len(raw.encode("utf-8"))
    if where == "range" and size > 1024:
        raise ValidationException(
            "One or more parameter values were invalid: Aggregated size of all range keys has "
            "exceeded the size limit of 1024 bytes"
        )
    if where != "range" and size > 2048:
        raise ValidationException(
            "One or more parameter values were invalid: Size of hashkey has exceeded the "
            "maximum size limit of2048 bytes"
        )


def _key_schema(hash_key: KeyAttr, range_key: KeyAttr | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": hash_key.name, "KeyType": "HASH"}]
    if range_key is not None:
        schema.append({"AttributeName": range_key.name, "KeyType": "RANGE"})
    return schema


def validate_table_name(name: str) -> None:
    """Table names: 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.'."""
    if not isinstance(name, str) or not _NAME.match(name):
        if isinstance(name, str) and (len(name) < 3 or len(name) > 255):
            bound = "greater than or equal to 3" if len(name) < 3 else "less than or equal to 255"
            raise ValidationException(
                f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy "
                f"constraint: Member must have length {bound}"
            )
        raise ValidationException(
            f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )


def _parse_key_schema(
    schema: list[dict[str, str]] | None, types: dict[str, str], where: str
) -> tuple[KeyAttr, KeyAttr | None]:
    if not schema or len(schema) > 2:
        raise ValidationException(
            f"1 validation error detected: Value '{schema}' at '{where}' failed to satisfy "
            "constraint: Member must have length less than or equal to 2"
            if schema else
            f"1 validation error detected: Value '[]' at '{where}' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1"
        )
    if schema[0].get("KeyType") != "HASH":
        raise ValidationException(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
        )
    if len(schema) == 2:
        if schema[1].get("KeyType") != "RANGE":
            raise ValidationException(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
            )
        if schema[0]["AttributeName"] == schema[1]["AttributeName"]:
            raise ValidationException(
                "Invalid KeySchema: The second KeySchemaElement has the same name as the first"
            )
    names = [e["AttributeName"] for e in schema]
    missing = [n for n in names if n not in types]
    if missing:
        raise ValidationException(
            "One or more parameter values were invalid: Some index key attributes are not "
            f"defined in AttributeDefinitions. Keys: [{', '.join(names)}], AttributeDefinitions: "
            f"[{', '.join(types)}]"
        )
    hash_key = KeyAttr(names[0], types[names[0]])
    range_key = KeyAttr(names[1], types[names[1]]) if len(names) == 2 else None
    return hash_key, range_key


def _parse_projection(projection: dict[str, Any] | None) -> dict[str, Any]:
    projection = dict(projection or {})
    kind = projection.get("ProjectionType", "ALL") if projection else "ALL"
    if kind not in ("ALL", "KEYS_ONLY", "INCLUDE"):
        raise ValidationException(
            f"1 validation error detected: Value '{kind}' at 'projection.projectionType' failed "
            "to satisfy constraint: Member must satisfy enum value set: [INCLUDE, ALL, KEYS_ONLY]"
        )
    out: dict[str, Any] = {"ProjectionType": kind}
    if kind == "INCLUDE":
        out["NonKeyAttributes"] = list(projection.get("NonKeyAttributes") or [])
    elif projection.get("NonKeyAttributes"):
        raise ValidationException(
            "One or more parameter values were invalid: ProjectionType is "
            f"{kind}, but NonKeyAttributes is specified"
        )
    return out


def parse_throughput(
    billing_mode: str, throughput: dict[str, Any] | None, what: str = ""
) -> dict[str, int] | None:
    """BillingMode and ProvisionedThroughput must agree, as AWS checks."""
    if billing_mode == "PAY_PER_REQUEST":
        if throughput:
            raise ValidationException(
                "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
            )
        return None
    if billing_mode != "PROVISIONED":
        raise ValidationException(
            f"1 validation error detected: Value '{billing_mode}' at 'billingMode' failed to "
            "satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
        )
    if not throughput:
        raise ValidationException(
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
            "must both be specified when BillingMode is PROVISIONED"
        )
    read, write = throughput.get("ReadCapacityUnits"), throughput.get("WriteCapacityUnits")
    if not isinstance(read, int) or not isinstance(write, int) or read < 1 or write < 1:
        raise ValidationException(
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
            "must both be specified when BillingMode is PROVISIONED"
        )
    return {"ReadCapacityUnits": read, "WriteCapacityUnits": write}


def parse_stream_specification(spec: dict[str, Any] | None) -> str | None:
    """The view type of an enabled stream, None for none."""
    if not spec or not spec.get("StreamEnabled"):
        if spec and spec.get("StreamViewType") and not spec.get("StreamEnabled"):
            raise ValidationException(
                "One or more parameter values were invalid: StreamViewType may only be "
                "specified when StreamEnabled is true"  # hedged: AWS rejects the combination
            )
        return None
    view = spec.get("StreamViewType")
    if view not in VIEW_TYPES:
        raise ValidationException(
            "One or more parameter values were invalid: You must specify a StreamViewType "
            "when StreamEnabled is true" if view is None else
            f"1 validation error detected: Value '{view}' at 'streamSpecification.streamViewType' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            "[NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]"
        )
    return str(view)


def parse_table(
    *, name: str, table_id: str, created_at: float, attribute_definitions: list[dict[str, str]],
    key_schema: list[dict[str, str]], billing_mode: str | None,
    provisioned_throughput: dict[str, Any] | None,
    global_secondary_indexes: list[dict[str, Any]] | None,
    local_secondary_indexes: list[dict[str, Any]] | None,
) -> TableDef:
    """Validate CreateTable's input into a definition (streams are added by the caller)."""
    validate_table_name(name)
    types: dict[str, str] = {}
    for definition in attribute_definitions or []:
        attr_type = definition.get("AttributeType")
        if attr_type not in ("S", "N", "B"):
            raise ValidationException(
                f"1 validation error detected: Value '{attr_type}' at "
                "'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: "
                "Member must satisfy enum value set: [B, N, S]"
            )
        if definition["AttributeName"] in types:
            raise ValidationException(
                "Cannot have two attributes with the same name. Attribute name: "
                f"{definition['AttributeName']}"  # hedged wording
            )
        types[definition["AttributeName"]] = attr_type
    hash_key, range_key = _parse_key_schema(key_schema, types, "keySchema")
    mode = billing_mode or "PROVISIONED"
    throughput = parse_throughput(mode, provisioned_throughput)
    used = {hash_key.name} | ({range_key.name} if range_key else set())
    indexes: list[IndexDef] = []
    for spec in local_secondary_indexes or []:
        if range_key is None:
            raise ValidationException(
                "One or more parameter values were invalid: Table KeySchema does not have a "
                "range key, which is required when specifying a LocalSecondaryIndex"
            )
        ih, ir = _parse_key_schema(spec.get("KeySchema"), types, "localSecondaryIndexes.keySchema")
        if ih.name != hash_key.name or ir is None:
            raise ValidationException(
                "One or more parameter values were invalid: Index KeySchema does not have the "
                "same leading hash key as table KeySchema for index: "
                f"{spec.get('IndexName')}. index hash key: {ih.name}, table hash key: "
                f"{hash_key.name}"
            )
        indexes.append(IndexDef(spec["IndexName"], "LSI", ih, ir,
                                _parse_projection(spec.get("Projection"))))
        used |= {ir.name}
    for spec in global_secondary_indexes or []:
        ih, ir = _parse_key_schema(spec.get("KeySchema"), types,
                                   "globalSecondaryIndexes.keySchema")
        gsi_throughput = parse_throughput(mode, spec.get("ProvisionedThroughput"))
        indexes.append(IndexDef(spec["IndexName"], "GSI", ih, ir,
                                _parse_projection(spec.get("Projection")), gsi_throughput))
        used |= {ih.name} | ({ir.name} if ir else set())
    names = [i.name for i in indexes]
    for index_name in names:
        if names.count(index_name) > 1:
            raise ValidationException(
                f"One or more parameter values were invalid: Duplicate index name: {index_name}"
            )
    if set(types) != used:
        raise ValidationException(
            "One or more parameter values were invalid: Number of attributes in KeySchema does "
            "not exactly match number of attributes defined in AttributeDefinitions"
        )
    return TableDef(
        name=name, table_id=table_id, hash=hash_key, range=range_key,
        attribute_definitions=[dict(d) for d in attribute_definitions],
        billing_mode=mode, throughput=throughput, indexes=tuple(indexes), created_at=created_at,
    )
