-- SQS message move tasks (StartMessageMoveTask: a dead-letter queue's redrive), kept so that a
-- task running at a restart goes on, and ListMessageMoveTasks still shows finished ones.
CREATE TABLE sqs_move_tasks (
    task_id        TEXT PRIMARY KEY,
    source_arn     TEXT NOT NULL,
    destination_arn TEXT,                       -- NULL: each message back to its own source
    rate           INTEGER,                     -- MaxNumberOfMessagesPerSecond, NULL if not given
    status         TEXT NOT NULL,               -- RUNNING | CANCELLING | CANCELLED | COMPLETED | FAILED
    moved          INTEGER NOT NULL DEFAULT 0,
    to_move        INTEGER NOT NULL,
    failure_reason TEXT,
    started_at     REAL NOT NULL
);
CREATE INDEX sqs_move_tasks_source ON sqs_move_tasks (source_arn, started_at);
