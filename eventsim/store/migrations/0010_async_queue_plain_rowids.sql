-- The asynchronous invoke queue is written twice for every event (its row is inserted with the
-- write and deleted with the invocation's record), so what each write maintains matters:
-- nothing reads the queue by not_before (it is loaded whole, by id, at start), and
-- AUTOINCREMENT updates sqlite_sequence on every insert. Plain rowids are still given in
-- insertion order (one more than the largest present), and an id is only reused once its
-- event has left the queue, after which the engine holds nothing under it. Together the two
-- cost about a third of the queue's insert and delete.
CREATE TABLE async_queue_plain (
    id           INTEGER PRIMARY KEY,
    function     TEXT NOT NULL,
    payload      TEXT NOT NULL,
    attempt      INTEGER NOT NULL DEFAULT 0,    -- attempts already made
    not_before   REAL NOT NULL,                 -- clock time before which it must not run
    enqueued_at  REAL NOT NULL,                 -- for MaximumEventAgeInSeconds
    request_id   TEXT NOT NULL,                 -- kept across retries, as AWS does
    cause        TEXT NOT NULL
);
INSERT INTO async_queue_plain (id, function, payload, attempt, not_before, enqueued_at,
                               request_id, cause)
    SELECT id, function, payload, attempt, not_before, enqueued_at, request_id, cause
    FROM async_queue;
DROP TABLE async_queue;
ALTER TABLE async_queue_plain RENAME TO async_queue;
