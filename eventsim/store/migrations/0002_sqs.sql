-- SQS: queues, their messages, and FIFO deduplication ids.
CREATE TABLE sqs_queues (
    name         TEXT PRIMARY KEY,
    arn          TEXT NOT NULL UNIQUE,
    fifo         INTEGER NOT NULL,
    attributes   TEXT NOT NULL,                 -- settable attributes as AWS returns them, JSON
    tags         TEXT NOT NULL DEFAULT '{}',    -- JSON
    created_at   REAL NOT NULL,
    modified_at  REAL NOT NULL,
    next_sequence INTEGER NOT NULL DEFAULT 0    -- FIFO SequenceNumber counter
);

CREATE TABLE sqs_messages (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,  -- arrival order
    queue            TEXT NOT NULL REFERENCES sqs_queues(name) ON DELETE CASCADE,
    message_id       TEXT NOT NULL,
    body             TEXT NOT NULL,
    attributes       TEXT NOT NULL DEFAULT '{}',   -- user message attributes, binary in base64, JSON
    system           TEXT NOT NULL DEFAULT '{}',   -- SenderId, AWSTraceHeader, DeadLetterQueueSourceArn..., JSON
    sent_at          REAL NOT NULL,                -- SentTimestamp
    enqueued_at      REAL NOT NULL,                -- retention counts from here (reset by a FIFO DLQ move)
    visible_at       REAL NOT NULL,                -- before this the message is delayed or in flight
    receive_count    INTEGER NOT NULL DEFAULT 0,
    first_received_at REAL,
    received_at      REAL,                         -- the latest receive (12 h visibility limit)
    receipt_handle   TEXT,                         -- the latest receive's handle
    group_id         TEXT,
    dedup_id         TEXT,
    sequence_number  TEXT
);
CREATE INDEX sqs_messages_queue ON sqs_messages (queue, visible_at);  -- what becomes visible next
CREATE INDEX sqs_messages_order ON sqs_messages (queue, seq);        -- receive in arrival order
CREATE INDEX sqs_messages_enqueued ON sqs_messages (queue, enqueued_at);  -- retention
CREATE UNIQUE INDEX sqs_messages_id ON sqs_messages (queue, message_id);

CREATE TABLE sqs_deduplication (
    queue            TEXT NOT NULL REFERENCES sqs_queues(name) ON DELETE CASCADE,
    scope            TEXT NOT NULL,                -- '' for queue scope, else the message group
    dedup_id         TEXT NOT NULL,
    message_id       TEXT NOT NULL,
    sequence_number  TEXT NOT NULL,
    expires_at       REAL NOT NULL,
    PRIMARY KEY (queue, scope, dedup_id)
) WITHOUT ROWID;
