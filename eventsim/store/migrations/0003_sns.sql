-- SNS
CREATE TABLE sns_topics (
    arn          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    attributes   TEXT NOT NULL DEFAULT '{}',    -- attributes set by the user, JSON
    tags         TEXT NOT NULL DEFAULT '{}',    -- JSON object, insertion order kept
    sequence     INTEGER NOT NULL DEFAULT 0,    -- FIFO topics: last SequenceNumber handed out
    created_at   REAL NOT NULL
);

CREATE TABLE sns_subscriptions (
    arn          TEXT PRIMARY KEY,
    topic_arn    TEXT NOT NULL REFERENCES sns_topics(arn) ON DELETE CASCADE,
    protocol     TEXT NOT NULL,
    endpoint     TEXT NOT NULL,
    attributes   TEXT NOT NULL DEFAULT '{}',    -- FilterPolicy, RawMessageDelivery, ... JSON
    token        TEXT,                          -- http(s): confirmation token until confirmed
    confirmed    INTEGER NOT NULL DEFAULT 1,
    created_at   REAL NOT NULL
);
CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn, created_at);

-- FIFO topics: deduplication ids seen in the last five minutes.
CREATE TABLE sns_deduplication (
    topic_arn    TEXT NOT NULL,
    dedup_id     TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    sequence     TEXT NOT NULL,
    expires_at   REAL NOT NULL,
    PRIMARY KEY (topic_arn, dedup_id)
) WITHOUT ROWID;

-- http/https deliveries waiting for (another) attempt. The POST happens outside any
-- transaction, and the row goes when it succeeded or was given up on.
CREATE TABLE sns_http_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_arn TEXT NOT NULL,
    payload          TEXT NOT NULL,             -- {"Endpoint", "Headers", "Body", "Raw"...}, JSON
    attempt          INTEGER NOT NULL DEFAULT 0,
    not_before       REAL NOT NULL,
    created_at       REAL NOT NULL,
    cause            TEXT NOT NULL
);
CREATE INDEX sns_http_deliveries_due ON sns_http_deliveries (not_before);
