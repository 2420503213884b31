"""Number keys are exact to DynamoDB's 38 significant digits, and items stored under the keys
of the 28-digit rounding used before (migration 0011) are moved to their exact keys once."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from eventsim import Simulator, SimulatorConfig
from eventsim.services.dynamodb.keys import encode_key

pytestmark = pytest.mark.asyncio

NINES = "9" * 38
EIGHT = "9" * 37 + "8"


def _rounded(number: str) -> bytes:
    """The key the old encoding stored: digits normalized in Python's default 28-digit
    context."""
    sign, digits, exponent = Decimal(number).normalize().as_tuple()
    assert isinstance(exponent, int) and not sign
    return b"\x03" + (exponent + len(digits) + 1000).to_bytes(2, "big") + bytes(
        0x30 + d for d in digits)


async def _table(sim: Simulator, name: str, key: str, key_type: str, **extra: Any) -> None:
    await sim.dynamodb.create_table(
        table_name=name, attribute_definitions=[{"AttributeName": key, "AttributeType": key_type},
                                                *extra.pop("definitions", [])],
        key_schema=[{"AttributeName": key, "KeyType": "HASH"}], billing_mode="PAY_PER_REQUEST",
        **extra,
    )


async def test_number_keys_that_differ_past_28_digits_are_different_items() -> None:
    async with Simulator(SimulatorConfig()) as sim:
        await _table(sim, "numbers", "n", "N")
        for number, tag in ((NINES, "nines"), (EIGHT, "eight")):
            await sim.dynamodb.put_item(table_name="numbers",
                                        item={"n": {"N": number}, "tag": {"S": tag}})
        for number, tag in ((NINES, "nines"), (EIGHT, "eight")):
            got = await sim.dynamodb.get_item(table_name="numbers", key={"n": {"N": number}})
            assert got["Item"]["tag"] == {"S": tag}
        assert (await sim.dynamodb.scan(table_name="numbers"))["Count"] == 2
    assert encode_key({"N": EIGHT}) < encode_key({"N": NINES})
    assert encode_key({"N": "-" + NINES}) < encode_key({"N": "-" + EIGHT})


async def test_items_stored_under_rounded_number_keys_move_to_their_exact_keys_at_start(
    tmp_path: Path,
) -> None:
    db = tmp_path / "state.db"
    async with Simulator(SimulatorConfig(db=str(db))) as sim:
        await _table(sim, "numbers", "n", "N")
        await sim.dynamodb.put_item(table_name="numbers",
                                    item={"n": {"N": NINES}, "tag": {"S": "long"}})
        await sim.dynamodb.put_item(table_name="numbers",
                                    item={"n": {"N": "42"}, "tag": {"S": "short"}})
        await _table(sim, "people", "id", "S",
                     definitions=[{"AttributeName": "score", "AttributeType": "N"}],
                     global_secondary_indexes=[{
                         "IndexName": "by-score",
                         "KeySchema": [{"AttributeName": "score", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}])
        await sim.dynamodb.put_item(table_name="people",
                                    item={"id": {"S": "ada"}, "score": {"N": EIGHT}})
    # What a database written before the fix holds: the rounded keys, and the repair to do.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE ddb_items SET pk = ? WHERE table_name = 'numbers' AND pk = ?",
                     (_rounded(NINES), encode_key({"N": NINES})))
        conn.execute("UPDATE ddb_index_items SET pk = ? WHERE table_name = 'people'",
                     (_rounded(EIGHT),))
        conn.execute("INSERT INTO ddb_repairs (name) VALUES ('number-keys-38-digits')")
    async with Simulator(SimulatorConfig(db=str(db))) as sim:
        long = await sim.dynamodb.get_item(table_name="numbers", key={"n": {"N": NINES}})
        short = await sim.dynamodb.get_item(table_name="numbers", key={"n": {"N": "42"}})
        assert long["Item"]["tag"] == {"S": "long"} and short["Item"]["tag"] == {"S": "short"}
        found = await sim.dynamodb.query(
            table_name="people", index_name="by-score",
            key_condition_expression="score = :s",
            expression_attribute_values={":s": {"N": EIGHT}})
        assert [item["id"] for item in found["Items"]] == [{"S": "ada"}]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM ddb_repairs").fetchone() == (0,)
