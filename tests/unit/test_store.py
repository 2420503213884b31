import asyncio
import sqlite3
import threading

import pytest

from eventsim.store import Database
from eventsim.store.migrate import _statements, migrate, migrations

NEW_BUCKET = "INSERT INTO buckets (name, region, created_at) VALUES (?, 'us-east-1', 0)"


@pytest.mark.asyncio
async def test_concurrent_writes_share_one_commit() -> None:
    import asyncio

    async with Database(":memory:") as db:
        before = db.commits

        def insert(n: int):
            def unit(conn: sqlite3.Connection) -> int:
                conn.execute(
                    "INSERT INTO buckets (name, region, created_at) VALUES (?,?,?)",
                    (f"b{n}", "us-east-1", 0.0),
                )
                return n
            return unit

        results = await asyncio.gather(*(db.write(insert(n)) for n in range(100)))
        assert results == list(range(100))
        # The first commits at once (nothing else was in flight); the other 99 arrived in
        # the same turn of the loop and share one commit.
        assert db.commits - before <= 2
        count = await db.read(lambda c: c.execute("SELECT COUNT(*) FROM buckets").fetchone()[0])
        assert count == 100


@pytest.mark.asyncio
async def test_a_lone_write_is_committed_before_write_returns_without_a_loop_turn() -> None:
    async with Database(":memory:") as db:
        before = db.commits
        turns = 0

        async def count_turns() -> None:
            nonlocal turns
            while True:
                await asyncio.sleep(0)  # sleep-ok: one turn of the loop, no waiting
                turns += 1

        counter = asyncio.ensure_future(count_turns())
        await asyncio.sleep(0)  # sleep-ok: one turn of the loop, no waiting
        start = turns
        await db.write(lambda c: c.execute(
            "INSERT INTO buckets (name, region, created_at) VALUES ('lone','us-east-1',0)"))
        assert turns == start
        assert db.commits == before + 1
        counter.cancel()


@pytest.mark.asyncio
async def test_a_heavy_write_commits_on_the_database_thread_with_the_writes_queued_beside_it(
) -> None:
    async with Database(":memory:") as db:
        threads: list[int] = []

        def unit(conn: sqlite3.Connection) -> None:
            threads.append(threading.get_ident())
            conn.execute(
                "INSERT INTO buckets (name, region, created_at) VALUES (?,?,?)",
                (f"b{len(threads)}", "us-east-1", 0.0),
            )

        # The first write finds nothing in flight and commits at once, on the loop's thread;
        # the other three arrive in the same turn and share a batch, which a heavy unit sends
        # to aiosqlite's thread.
        before = db.commits
        await asyncio.gather(db.write(unit), db.write(unit), db.write(unit, heavy=True),
                             db.write(unit))
        loop_thread = threading.get_ident()
        assert threads[0] == loop_thread
        assert all(t != loop_thread for t in threads[1:]), "a heavy batch ran on the loop"
        assert db.commits - before == 2
        count = await db.read(lambda c: c.execute("SELECT COUNT(*) FROM buckets").fetchone()[0])
        assert count == 4


@pytest.mark.asyncio
async def test_failing_unit_rolls_back_alone() -> None:
    import asyncio

    async with Database(":memory:") as db:
        def good(conn: sqlite3.Connection) -> None:
            conn.execute(NEW_BUCKET, ("good",))

        def bad(conn: sqlite3.Connection) -> None:
            conn.execute(NEW_BUCKET, ("bad",))
            raise ValueError("nope")

        outcome = await asyncio.gather(db.write(good), db.write(bad), return_exceptions=True)
        assert outcome[0] is None
        assert isinstance(outcome[1], ValueError)
        names = await db.read(lambda c: [r[0] for r in c.execute("SELECT name FROM buckets")])
        assert names == ["good"]


def _noop(conn: sqlite3.Connection) -> None:
    pass


def _insert(name: str):
    def unit(conn: sqlite3.Connection) -> None:
        conn.execute(NEW_BUCKET, (name,))
    return unit


@pytest.mark.asyncio
async def test_unit_without_savepoint_failing_before_writing_fails_alone() -> None:
    async with Database(":memory:") as db:
        await db.write(_insert("taken"))
        # The first write of a turn commits at once; the three after it share a transaction.
        outcome = await asyncio.gather(
            db.write(_noop), db.write(_insert("good")),
            db.write(_insert("taken"), savepoint=False),  # refused by its only statement
            db.write(_insert("other"), savepoint=False), return_exceptions=True)
        assert outcome[0] is None and outcome[1] is None and outcome[3] is None
        assert isinstance(outcome[2], sqlite3.IntegrityError)
        names = await db.read(lambda c: [r[0] for r in c.execute("SELECT name FROM buckets")])
        assert sorted(names) == ["good", "other", "taken"]


@pytest.mark.asyncio
async def test_unit_without_savepoint_failing_after_writing_fails_its_whole_batch() -> None:
    async with Database(":memory:") as db:
        def half(conn: sqlite3.Connection) -> None:
            _insert("half")(conn)
            raise ValueError("wrote, then failed")

        outcome = await asyncio.gather(
            db.write(_noop), db.write(_insert("good")), db.write(half, savepoint=False),
            return_exceptions=True)
        assert outcome[0] is None
        assert all(isinstance(o, ValueError) for o in outcome[1:])
        names = await db.read(lambda c: [r[0] for r in c.execute("SELECT name FROM buckets")])
        assert names == []


@pytest.mark.asyncio
async def test_committed_writes_survive_reopening(tmp_path) -> None:
    path = tmp_path / "state.db"
    async with Database(path) as db:
        await db.write(lambda c: c.execute(NEW_BUCKET, ("kept",)))
    async with Database(path) as db:
        names = await db.read(lambda c: [r[0] for r in c.execute("SELECT name FROM buckets")])
        version = await db.read(lambda c: c.execute("PRAGMA user_version").fetchone()[0])
    assert names == ["kept"]
    assert version == len(migrations())


def test_migrations_are_numbered_without_gaps() -> None:
    numbers = [n for n, _ in migrations()]
    assert numbers == list(range(1, len(numbers) + 1))


@pytest.mark.asyncio
async def test_wal_is_checkpointed_off_the_loop_and_stays_bounded(tmp_path) -> None:
    from eventsim.store.database import CHECKPOINT_EVERY as EVERY_COMMITS

    path = tmp_path / "state.db"
    async with Database(path) as db:
        for i in range(EVERY_COMMITS * 8):
            await db.write(lambda c, i=i: c.execute(
                "INSERT INTO buckets (name, region, created_at) VALUES (?,?,0)",
                (f"b{i}", "us-east-1"),
            ))
        checkpoints = db.checkpoints
        wal = path.with_name("state.db-wal").stat().st_size
    assert checkpoints >= 4
    # Without checkpoints the WAL would hold every commit: about 2,000 * 8 KiB = 16 MiB. With
    # them it starts over after each, at the most CHECKPOINT_EVERY commits plus those made
    # during a checkpoint's first pass (which writes do not wait for) long.
    assert wal < 8 * 1024 * 1024
    async with Database(path) as db:
        count = await db.read(lambda c: c.execute("SELECT count(*) FROM buckets").fetchone()[0])
    assert count == EVERY_COMMITS * 8


@pytest.mark.asyncio
async def test_opening_a_file_that_is_not_a_database_raises_and_leaves_no_thread(
    tmp_path,
) -> None:
    path = tmp_path / "eventsim.db"
    path.write_text("not sqlite at all, just text " * 100)
    before = set(threading.enumerate())
    with pytest.raises(sqlite3.DatabaseError):
        # A failing __aenter__ gets no __aexit__: open itself must clean up.
        async with Database(str(path)):
            pass
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=2.0)
        # aiosqlite's worker is not a daemon: left running, it keeps the process alive.
        assert not thread.is_alive(), thread.name


def _schema(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return sorted(conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall())


def test_a_new_in_memory_database_gets_the_migrated_schema_from_the_template() -> None:
    by_statements = sqlite3.connect(":memory:", isolation_level=None)
    for number, sql in migrations():
        for statement in _statements(sql):
            by_statements.execute(statement)
        by_statements.execute(f"PRAGMA user_version = {number}")
    first, second = (sqlite3.connect(":memory:", isolation_level=None) for _ in range(2))
    assert migrate(first) == len(migrations())
    assert _schema(first) == _schema(by_statements)
    first.execute(NEW_BUCKET, ("only-first",))
    assert migrate(second) == len(migrations())  # copied after the insert: still empty
    assert second.execute("SELECT COUNT(*) FROM buckets").fetchone()[0] == 0


@pytest.mark.asyncio
async def test_writes_commit_while_a_checkpoint_syncs_beside_them(tmp_path, monkeypatch) -> None:
    """The slow first pass of a checkpoint (its syncs) holds no write back."""
    from eventsim.store.database import CHECKPOINT_EVERY as EVERY_COMMITS

    in_first_pass, release = threading.Event(), threading.Event()
    first_pass = Database._checkpoint_beside

    def held_first_pass(self: Database) -> bool:
        in_first_pass.set()
        release.wait(10)
        return first_pass(self)

    monkeypatch.setattr(Database, "_checkpoint_beside", held_first_pass)
    path = tmp_path / "state.db"

    def insert(i: int):
        return lambda c: c.execute(
            "INSERT INTO buckets (name, region, created_at) VALUES (?,?,0)", (f"b{i}", "us-east-1")
        )

    async with Database(path) as db:
        for i in range(EVERY_COMMITS):
            await db.write(insert(i))
        assert await asyncio.to_thread(in_first_pass.wait, 10)
        for i in range(EVERY_COMMITS, EVERY_COMMITS + 20):
            await asyncio.wait_for(db.write(insert(i)), 5)  # not held by the checkpoint
        assert db.checkpoints == 0
        release.set()
        assert db._checkpointing is not None
        await asyncio.wait_for(db._checkpointing, 10)
        assert db.checkpoints == 1
        # The second pass, with writes held, copied what came during the first: the WAL
        # started over, so it now holds only the frames of the next commit.
        await db.write(insert(10_000))
        frames = await db.read(lambda c: c.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1])
        count = await db.read(lambda c: c.execute("SELECT count(*) FROM buckets").fetchone()[0])
    assert frames < 10
    assert count == EVERY_COMMITS + 21


def _buffered_insert(db: Database, name: str, fail: bool = False):
    def unit(conn: sqlite3.Connection) -> str:
        db.rows.insert("INSERT INTO buckets (name, region, created_at)", 3,
                       (name, "us-east-1", 0.0))
        if fail:
            raise ValueError(f"{name} failed after buffering its row")
        return name
    return unit


def _bucket_names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM buckets ORDER BY rowid")]


@pytest.mark.asyncio
async def test_buffered_units_of_one_transaction_insert_their_rows_in_few_statements() -> None:
    async with Database(":memory:") as db:
        statements: list[str] = []
        db._connection().set_trace_callback(statements.append)
        before = db.commits
        names = [f"b{n}" for n in range(100)]
        # The first write of a turn commits alone, at once; the 100 after it share a commit.
        results = await asyncio.gather(db.write(_noop), *(
            db.write(_buffered_insert(db, name), savepoint=False, buffered=True)
            for name in names))
        db._connection().set_trace_callback(None)
        assert results == [None, *names]
        assert db.commits == before + 2
        assert await db.read(_bucket_names) == names
        inserts = [s for s in statements if s.startswith("INSERT")]
        assert 1 <= len(inserts) <= 3  # 100 rows: chunks of 64, 32 and 4


@pytest.mark.asyncio
async def test_an_unbuffered_unit_sees_the_rows_buffered_before_it() -> None:
    async with Database(":memory:") as db:
        outcome = await asyncio.gather(
            db.write(_noop),
            db.write(_buffered_insert(db, "first"), buffered=True),
            db.write(lambda c: _bucket_names(c)),
            db.write(_buffered_insert(db, "second"), buffered=True))
        assert outcome == [None, "first", ["first"], "second"]
        assert await db.read(_bucket_names) == ["first", "second"]


@pytest.mark.asyncio
@pytest.mark.parametrize("savepoint", [True, False])
async def test_a_buffered_unit_that_fails_loses_its_rows_and_nothing_else(
        savepoint: bool) -> None:
    async with Database(":memory:") as db:
        outcome = await asyncio.gather(
            db.write(_noop),
            db.write(_buffered_insert(db, "good"), savepoint=savepoint, buffered=True),
            db.write(_buffered_insert(db, "bad", fail=True), savepoint=savepoint, buffered=True),
            db.write(_buffered_insert(db, "other"), savepoint=savepoint, buffered=True),
            return_exceptions=True)
        assert outcome[1] == "good" and outcome[3] == "other"
        assert isinstance(outcome[2], ValueError)
        assert await db.read(_bucket_names) == ["good", "other"]


@pytest.mark.asyncio
async def test_a_buffered_row_refused_at_the_flush_fails_the_whole_batch() -> None:
    # Units check what their rows rely on (S3's put asks whether the bucket exists): should a
    # row still be refused when the writer inserts it, no unit of the batch is reported done.
    async with Database(":memory:") as db:
        await db.write(_insert("taken"))
        outcome = await asyncio.gather(
            db.write(_noop),
            db.write(_buffered_insert(db, "fresh"), buffered=True),
            db.write(_buffered_insert(db, "taken"), buffered=True),
            return_exceptions=True)
        assert outcome[0] is None
        assert all(isinstance(o, sqlite3.IntegrityError) for o in outcome[1:])
        assert await db.read(_bucket_names) == ["taken"]
        assert len(db.rows) == 0
        # The next batch starts clean.
        assert await asyncio.gather(db.write(_noop),
                                    db.write(_buffered_insert(db, "fresh"), buffered=True),
                                    db.write(_buffered_insert(db, "later"), buffered=True),
                                    ) == [None, "fresh", "later"]


@pytest.mark.asyncio
async def test_a_buffered_unit_alone_in_its_transaction_inserts_at_once() -> None:
    async with Database(":memory:") as db:
        def unit(conn: sqlite3.Connection) -> list[str]:
            db.rows.insert("INSERT INTO buckets (name, region, created_at)", 3,
                           ("alone", "us-east-1", 0.0))
            return _bucket_names(conn)  # direct mode: the row is there already

        assert await db.write(unit, buffered=True) == ["alone"]
        with pytest.raises(sqlite3.IntegrityError):
            await db.write(_buffered_insert(db, "alone"), buffered=True)
        assert await db.read(_bucket_names) == ["alone"]


def test_a_semicolon_in_a_migrations_comment_or_literal_does_not_end_its_statement() -> None:
    sql = ("-- one table; then a row\nCREATE TABLE t (a TEXT DEFAULT 'x;y');\n"
           "INSERT INTO t VALUES ('1;2'); -- done; really\n")
    statements = _statements(sql)
    assert len(statements) == 3
    conn = sqlite3.connect(":memory:")
    for statement in statements:
        conn.execute(statement)
    assert conn.execute("SELECT a FROM t").fetchall() == [("1;2",)]
