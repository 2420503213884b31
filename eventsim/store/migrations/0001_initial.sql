-- S3
CREATE TABLE buckets (
    name        TEXT PRIMARY KEY,
    region      TEXT NOT NULL,
    created_at  REAL NOT NULL
);

CREATE TABLE objects (
    bucket        TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    body          BLOB NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT NOT NULL,
    last_modified REAL NOT NULL,
    content_type  TEXT,
    metadata      TEXT NOT NULL DEFAULT '{}',   -- user metadata (x-amz-meta-*), JSON
    headers       TEXT NOT NULL DEFAULT '{}',   -- other stored headers (Cache-Control, ...), JSON
    PRIMARY KEY (bucket, key)
) WITHOUT ROWID;

CREATE TABLE bucket_notifications (
    bucket         TEXT PRIMARY KEY REFERENCES buckets(name) ON DELETE CASCADE,
    configuration  TEXT NOT NULL                -- NotificationConfiguration as the API shapes it, JSON
);

-- Delivery: the transactional outbox. Rows are written in the same transaction as the write
-- that caused them and removed when the dispatcher has handed them on.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at   REAL NOT NULL,
    target_kind  TEXT NOT NULL,                 -- 'function' | 'topic' | 'queue'
    target       TEXT NOT NULL,                 -- ARN of the target
    payload      TEXT NOT NULL,                 -- the AWS-shaped event, JSON text
    cause        TEXT NOT NULL                  -- tracing.Cause, JSON
);

-- Functions (until the Lambda API arrives these come from scenarios and definitions files).
CREATE TABLE functions (
    name        TEXT PRIMARY KEY,
    config      TEXT NOT NULL,                  -- FunctionConfig, JSON
    created_at  REAL NOT NULL
);

-- The asynchronous invoke queue: one row per event waiting for (another) attempt.
CREATE TABLE async_queue (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    function     TEXT NOT NULL,
    payload      TEXT NOT NULL,
    attempt      INTEGER NOT NULL DEFAULT 0,    -- attempts already made
    not_before   REAL NOT NULL,                 -- clock time before which it must not run
    enqueued_at  REAL NOT NULL,                 -- for MaximumEventAgeInSeconds
    request_id   TEXT NOT NULL,                 -- kept across retries, as AWS does
    cause        TEXT NOT NULL
);
CREATE INDEX async_queue_due ON async_queue (not_before);

-- Every invocation, whatever caused it.
CREATE TABLE invocations (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id      TEXT NOT NULL,
    function        TEXT NOT NULL,
    invocation_type TEXT NOT NULL,              -- RequestResponse | Event
    attempt         INTEGER NOT NULL DEFAULT 1,
    started_at      REAL NOT NULL,
    duration_ms     REAL NOT NULL,
    status          TEXT NOT NULL,              -- Success | Error | Timeout | Throttled | LoopDetected
    trigger         TEXT NOT NULL,              -- human-readable: 's3:ObjectCreated:Put uploads/cat.jpg'
    trace_id        TEXT NOT NULL,              -- X-Ray Root
    span_id         TEXT NOT NULL,              -- this invocation's segment id (Parent= for its writes)
    parent_span     TEXT,                       -- the invocation whose write caused this one
    hop             INTEGER NOT NULL DEFAULT 0, -- recursion depth along the causal chain
    payload         TEXT NOT NULL,
    result          TEXT,
    error           TEXT,                       -- {errorType, errorMessage, stackTrace}, JSON
    logs            TEXT NOT NULL DEFAULT ''
);
CREATE INDEX invocations_function ON invocations (function, seq);
CREATE INDEX invocations_trace ON invocations (trace_id);

-- Events that left the async queue without success and had nowhere else to go, or went to a
-- destination: kept so the run can show where each event ended.
CREATE TABLE async_outcomes (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id   TEXT NOT NULL,
    function     TEXT NOT NULL,
    condition    TEXT NOT NULL,                 -- Success | RetriesExhausted | EventAgeExceeded | RecursiveInvocationLoop
    destination  TEXT,                          -- ARN it was sent to, if any
    record       TEXT NOT NULL,                 -- destination record, JSON
    created_at   REAL NOT NULL
);

-- Writes made by handlers (through the gateway with a trace header): the causal edges.
CREATE TABLE trace_events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    trace_id    TEXT NOT NULL,
    span_id     TEXT,                           -- the invocation that made the write, if any
    kind        TEXT NOT NULL,                  -- e.g. 's3:PutObject'
    resource    TEXT NOT NULL,                  -- e.g. 'arn:aws:s3:::thumbnails/cats/cat.jpg'
    created_at  REAL NOT NULL
);
CREATE INDEX trace_events_trace ON trace_events (trace_id);
