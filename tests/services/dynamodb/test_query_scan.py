"""Query and Scan: key order, filters, pagination, indexes, segments."""

from __future__ import annotations

from typing import Any

import pytest

from eventsim import Simulator
from eventsim.errors import AwsError

from .conftest import make_table

pytestmark = pytest.mark.asyncio


async def fill(sim: Simulator, sorts: list[dict[str, Any]], pk: str = "a") -> None:
    for sort in sorts:
        await sim.dynamodb.put_item(table_name="things",
                                    item={"pk": {"S": pk}, "sk": sort, "v": {"N": "1"}})


async def query(sim: Simulator, text: str = "pk = :p", **kwargs: Any) -> dict[str, Any]:
    values = {":p": {"S": "a"}, **kwargs.pop("values", {})}
    result: dict[str, Any] = await sim.dynamodb.query(
        table_name="things", key_condition_expression=text, expression_attribute_values=values,
        **kwargs,
    )
    return result


async def test_numbers_sort_numerically(sim: Simulator) -> None:
    await make_table(sim)
    numbers = ["10", "-3", "2.5", "0", "-10.5", "100", "9"]
    await fill(sim, [{"N": x} for x in numbers])
    items = (await query(sim))["Items"]
    assert [i["sk"]["N"] for i in items] == ["-10.5", "-3", "0", "2.5", "9", "10", "100"]
    backwards = (await query(sim, scan_index_forward=False))["Items"]
    assert backwards[0]["sk"]["N"] == "100"


async def test_strings_sort_by_utf8_bytes(sim: Simulator) -> None:
    await make_table(sim, range_type="S")
    words = ["b", "B", "a", "\uff21", "\U0001f600", "ab"]
    await fill(sim, [{"S": w} for w in words])
    items = (await query(sim))["Items"]
    assert [i["sk"]["S"] for i in items] == sorted(words, key=lambda w: w.encode())


async def test_binary_sorts_by_bytes(sim: Simulator) -> None:
    await make_table(sim, range_type="B")
    blobs = [b"\xff", b"\x00", b"\x00\x01", b"\x7f"]
    await fill(sim, [{"B": b} for b in blobs])
    items = (await query(sim))["Items"]
    assert [i["sk"]["B"] for i in items] == sorted(blobs)


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        ("sk = :x", {":x": {"N": "5"}}, [5]),
        ("sk < :x", {":x": {"N": "3"}}, [1, 2]),
        ("sk <= :x", {":x": {"N": "3"}}, [1, 2, 3]),
        ("sk > :x", {":x": {"N": "8"}}, [9, 10]),
        ("sk >= :x", {":x": {"N": "8"}}, [8, 9, 10]),
        ("sk BETWEEN :x AND :y", {":x": {"N": "4"}, ":y": {"N": "6"}}, [4, 5, 6]),
    ],
)
async def test_sort_key_conditions(sim: Simulator, condition: str, values: dict[str, Any],
                                   expected: list[int]) -> None:
    await make_table(sim)
    await fill(sim, [{"N": str(i)} for i in range(1, 11)])
    items = (await query(sim, f"pk = :p AND {condition}", values=values))["Items"]
    assert [int(i["sk"]["N"]) for i in items] == expected


async def test_begins_with_on_the_sort_key(sim: Simulator) -> None:
    await make_table(sim, range_type="S")
    await fill(sim, [{"S": w} for w in ("order#1", "order#2", "user#1", "orde")])
    items = (await query(sim, "pk = :p AND begins_with(sk, :o)",
                         values={":o": {"S": "order#"}}))["Items"]
    assert [i["sk"]["S"] for i in items] == ["order#1", "order#2"]


async def test_other_partitions_are_not_returned(sim: Simulator) -> None:
    await make_table(sim)
    await fill(sim, [{"N": "1"}], pk="a")
    await fill(sim, [{"N": "1"}], pk="b")
    assert (await query(sim))["Count"] == 1


async def test_limit_and_last_evaluated_key_page_through(sim: Simulator) -> None:
    await make_table(sim)
    await fill(sim, [{"N": str(i)} for i in range(7)])
    seen: list[int] = []
    start = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"limit": 3}
        if start is not None:
            kwargs["exclusive_start_key"] = start
        page = await query(sim, **kwargs)
        pages += 1
        seen += [int(i["sk"]["N"]) for i in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
    assert seen == list(range(7))
    assert pages == 3


async def test_filter_counts_scanned_items_separately(sim: Simulator) -> None:
    await make_table(sim)
    for i in range(6):
        await sim.dynamodb.put_item(table_name="things", item={
            "pk": {"S": "a"}, "sk": {"N": str(i)}, "even": {"BOOL": i % 2 == 0}})
    page = await query(sim, filter_expression="even = :t", values={":t": {"BOOL": True}})
    assert page["Count"] == 3
    assert page["ScannedCount"] == 6
    limited = await query(sim, filter_expression="even = :t", values={":t": {"BOOL": True}},
                          limit=2)
    assert (limited["Count"], limited["ScannedCount"]) == (1, 2)
    assert limited["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"N": "1"}}


async def test_select_count_returns_no_items(sim: Simulator) -> None:
    await make_table(sim)
    await fill(sim, [{"N": str(i)} for i in range(4)])
    page = await query(sim, select="COUNT")
    assert "Items" not in page
    assert page["Count"] == 4


async def test_pages_stop_at_one_megabyte(sim: Simulator) -> None:
    await make_table(sim)
    for i in range(4):
        await sim.dynamodb.put_item(table_name="things", item={
            "pk": {"S": "a"}, "sk": {"N": str(i)}, "blob": {"S": "x" * 300_000}})
    page = await query(sim, projection_expression="sk")
    assert page["Count"] == 3  # a fourth item would pass 1 MB
    assert page["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"N": "2"}}
    rest = await query(sim, projection_expression="sk",
                       exclusive_start_key=page["LastEvaluatedKey"])
    assert [i["sk"]["N"] for i in rest["Items"]] == ["3"]


async def test_query_needs_the_hash_key(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError) as info:
        await query(sim, "sk = :p")
    assert info.value.message == "Query condition missed key schema element: pk"


async def test_query_on_a_global_index(sim: Simulator) -> None:
    await make_table(
        sim, more_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
        global_secondary_indexes=[{
            "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }],
    )
    for i, g in enumerate(["x", "y", "x", None]):
        attrs: dict[str, Any] = {"pk": {"S": f"p{i}"}, "sk": {"N": str(i)}, "v": {"N": "1"}}
        if g is not None:
            attrs["g"] = {"S": g}
        await sim.dynamodb.put_item(table_name="things", item=attrs)
    page = await sim.dynamodb.query(
        table_name="things", index_name="by-g", key_condition_expression="g = :g",
        expression_attribute_values={":g": {"S": "x"}},
    )
    assert page["Items"] == [
        {"pk": {"S": "p0"}, "sk": {"N": "0"}, "g": {"S": "x"}},
        {"pk": {"S": "p2"}, "sk": {"N": "2"}, "g": {"S": "x"}},
    ]
    # The index follows updates: moving p0 to "y" takes it out of "x".
    await sim.dynamodb.update_item(
        table_name="things", key={"pk": {"S": "p0"}, "sk": {"N": "0"}},
        update_expression="SET g = :y", expression_attribute_values={":y": {"S": "y"}},
    )
    again = await sim.dynamodb.query(
        table_name="things", index_name="by-g", key_condition_expression="g = :g",
        expression_attribute_values={":g": {"S": "x"}},
    )
    assert [i["pk"]["S"] for i in again["Items"]] == ["p2"]
    scanned = await sim.dynamodb.scan(table_name="things", index_name="by-g")
    assert scanned["Count"] == 3  # the item without g is not in the index
    table = (await sim.dynamodb.describe_table(table_name="things"))["Table"]
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 3


async def test_query_unknown_index(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError, match="The table does not have the specified index: nope"):
        await query(sim, index_name="nope")


async def test_scan_with_filter_and_pagination(sim: Simulator) -> None:
    await make_table(sim)
    for pk in ("a", "b", "c"):
        await fill(sim, [{"N": str(i)} for i in range(3)], pk=pk)
    first = await sim.dynamodb.scan(table_name="things", limit=5)
    assert first["Count"] == 5
    rest = await sim.dynamodb.scan(table_name="things",
                                   exclusive_start_key=first["LastEvaluatedKey"])
    assert rest["Count"] == 4
    filtered = await sim.dynamodb.scan(table_name="things", filter_expression="sk > :one",
                                       expression_attribute_values={":one": {"N": "1"}})
    assert filtered["Count"] == 3


async def test_scan_segments_cover_every_item_once(sim: Simulator) -> None:
    await make_table(sim)
    for pk in "abcdefghij":
        await fill(sim, [{"N": "1"}], pk=pk)
    seen: list[str] = []
    for segment in range(3):
        page = await sim.dynamodb.scan(table_name="things", segment=segment, total_segments=3)
        seen += [i["pk"]["S"] for i in page["Items"]]
    assert sorted(seen) == list("abcdefghij")


async def test_scan_segment_out_of_range(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError, match="Segment: 3 is not less than TotalSegments: 3"):
        await sim.dynamodb.scan(table_name="things", segment=3, total_segments=3)


async def test_query_filter_may_not_name_a_key_attribute(sim: Simulator) -> None:
    await make_table(sim)
    with pytest.raises(AwsError) as info:
        await query(sim, filter_expression="sk > :z", values={":z": {"N": "1"}})
    assert info.value.message == (
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    )
