"""XML bodies from and to botocore shapes, shared by the rest-xml and query protocols.

The rules are botocore's (``botocore/serialize.py`` and ``botocore/parsers.py``), read from the
other side:

- a structure member's element is named by its ``locationName``, else the member name; a
  flattened list's items repeat that element with no wrapper;
- a wrapped list names its items by the list member's ``locationName``, else ``member``;
- a map is ``<entry><key/><value/></entry>`` items inside the member's element, or repeated
  ``<Name><key/><value/></Name>`` when flattened (key and value names may be overridden);
- members with ``xmlAttribute`` are attributes; a shape's ``xmlNamespace`` with a prefix
  declares ``xmlns:<prefix>``;
- timestamps are ISO 8601 unless the shape says otherwise, blobs base64, booleans
  ``true``/``false``.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from botocore.model import ListShape, MapShape, Shape, StructureShape  # type: ignore[import-untyped]

from eventsim.gateway.protocols.base import ISO8601, format_timestamp, parse_timestamp

__all__ = [
    "XML_DECLARATION",
    "element_name",
    "local_name",
    "parse_document",
    "read_xml",
    "write_xml",
]

LOG = logging.getLogger(__name__)

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# Members bound to the HTTP envelope rather than to the body.
_LOCATIONS = frozenset({"header", "headers", "querystring", "uri", "statusCode"})


def element_name(shape: Shape, member_name: str) -> str:
    """The element a structure member is written as (botocore's ``_member_key_name``)."""
    serialization = shape.serialization
    if shape.type_name == "list" and serialization.get("flattened"):
        item_name = shape.member.serialization.get("name")
        if item_name is not None:
            return str(item_name)
    return str(serialization.get("name", member_name))


# -- writing -------------------------------------------------------------------------------


def write_xml(shape: Shape, value: Any, name: str, namespace: str | None = None) -> str:
    """`value` as the element `name` of type `shape`; `namespace` becomes its ``xmlns``."""
    parts: list[str] = []
    attrs = f' xmlns="{namespace}"' if namespace else ""
    _write(parts, shape, value, name, attrs)
    return "".join(parts)


def _write(parts: list[str], shape: Shape, value: Any, name: str, attrs: str = "") -> None:
    kind = shape.type_name
    if kind == "structure":
        _write_structure(parts, shape, value, name, attrs)
    elif kind == "list":
        assert isinstance(shape, ListShape)
        item_name = shape.member.serialization.get("name", "member")
        parts.append(f"<{name}{attrs}>")
        for item in value:
            _write(parts, shape.member, item, item_name)
        parts.append(f"</{name}>")
    elif kind == "map":
        assert isinstance(shape, MapShape)
        parts.append(f"<{name}{attrs}>")
        _write_map_entries(parts, shape, value, "entry")
        parts.append(f"</{name}>")
    else:
        text = _scalar_text(shape, value)
        parts.append(f"<{name}{attrs}>{text}</{name}>" if text else f"<{name}{attrs}/>")


def _write_structure(
    parts: list[str], shape: StructureShape, value: Mapping[str, Any], name: str, attrs: str
) -> None:
    ns = shape.serialization.get("xmlNamespace")
    if ns and ns.get("prefix"):
        attrs += f' xmlns:{ns["prefix"]}={quoteattr(ns["uri"])}'
    children: list[str] = []
    for member_name, member in shape.members.items():
        item = value.get(member_name)
        if item is None:
            continue
        serialization = member.serialization
        if serialization.get("location") in _LOCATIONS:
            continue
        if serialization.get("xmlAttribute"):
            attrs += f" {serialization['name']}={quoteattr(_scalar_text(member, item))}"
            continue
        child = element_name(member, member_name)
        if member.type_name == "list" and serialization.get("flattened"):
            for entry in item:
                _write(children, member.member, entry, child)
        elif member.type_name == "map" and serialization.get("flattened"):
            _write_map_entries(children, member, item, child)
        else:
            _write(children, member, item, child)
    if children:
        parts.append(f"<{name}{attrs}>")
        parts.extend(children)
        parts.append(f"</{name}>")
    else:
        parts.append(f"<{name}{attrs}/>")


def _write_map_entries(
    parts: list[str], shape: MapShape, value: Mapping[Any, Any], entry: str
) -> None:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    for key, item in value.items():
        parts.append(f"<{entry}>")
        _write(parts, shape.key, key, key_name)
        _write(parts, shape.value, item, value_name)
        parts.append(f"</{entry}>")


def _scalar_text(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return format_timestamp(value, shape.serialization.get("timestampFormat", ISO8601))
    if kind == "blob":
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return base64.b64encode(data).decode("ascii")
    if kind in ("integer", "long"):
        return str(int(value))
    return escape(str(value))


# -- reading -------------------------------------------------------------------------------


def parse_document(body: bytes) -> ElementTree.Element:
    """The root element of an XML document; ValueError when it is not well-formed."""
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as exc:
        raise ValueError(str(exc)) from exc


def local_name(tag: str) -> str:
    """An element or attribute name without its ``{namespace}``."""
    return tag.rpartition("}")[2] if tag[:1] == "{" else tag


def read_xml(shape: Shape, element: ElementTree.Element) -> Any:
    """The value of `element` read as `shape`; ValueError when its text does not fit."""
    kind = shape.type_name
    if kind == "structure":
        return _read_structure(shape, element)
    if kind == "list":
        member = shape.member
        return [read_xml(member, child) for child in element]
    if kind == "map":
        return _read_map_entries(shape, list(element))
    return _scalar_value(shape, element.text or "")


def _read_structure(shape: StructureShape, element: ElementTree.Element) -> dict[str, Any]:
    by_name: dict[str, list[ElementTree.Element]] = {}
    for child in element:
        by_name.setdefault(local_name(child.tag), []).append(child)
    result: dict[str, Any] = {}
    for member_name, member in shape.members.items():
        serialization = member.serialization
        if serialization.get("location") in _LOCATIONS:
            continue
        if serialization.get("xmlAttribute"):
            wanted = local_name(serialization["name"].rpartition(":")[2])
            for attr, text in element.attrib.items():
                if local_name(attr) == wanted:
                    result[member_name] = _scalar_value(member, text)
            continue
        found = by_name.get(element_name(member, member_name))
        if not found:
            continue
        if member.type_name == "list" and serialization.get("flattened"):
            item_shape = member.member
            result[member_name] = [read_xml(item_shape, node) for node in found]
        elif member.type_name == "map" and serialization.get("flattened"):
            result[member_name] = _read_map_entries(member, found)
        else:
            result[member_name] = read_xml(member, found[0])
    return result


def _read_map_entries(shape: MapShape, entries: list[ElementTree.Element]) -> dict[Any, Any]:
    key_name = shape.key.serialization.get("name", "key")
    value_name = shape.value.serialization.get("name", "value")
    result: dict[Any, Any] = {}
    for entry in entries:
        key: Any = None
        value: Any = None
        for node in entry:
            tag = local_name(node.tag)
            if tag == key_name:
                key = read_xml(shape.key, node)
            elif tag == value_name:
                value = read_xml(shape.value, node)
        if key is not None:
            result[key] = value
    return result


def _scalar_value(shape: Shape, text: str) -> Any:
    kind = shape.type_name
    if kind == "string":
        return text
    if kind in ("integer", "long"):
        return int(text.strip())
    if kind == "boolean":
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise ValueError(f"not a boolean: {text!r}")
        return lowered == "true"
    if kind in ("float", "double"):
        return float(text.strip())
    if kind == "timestamp":
        return parse_timestamp(text, shape.serialization.get("timestampFormat", ISO8601))
    if kind == "blob":
        return base64.b64decode(text)
    return text
