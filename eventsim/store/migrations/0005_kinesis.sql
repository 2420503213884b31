-- Kinesis Data Streams. Hash keys are 128-bit, beyond SQLite's integers: decimal text.
CREATE TABLE kinesis_streams (
    name             TEXT PRIMARY KEY,
    mode             TEXT NOT NULL,                 -- 'PROVISIONED' | 'ON_DEMAND'
    retention_hours  INTEGER NOT NULL,
    created_at       REAL NOT NULL,                 -- clock time, epoch seconds
    tags             TEXT NOT NULL DEFAULT '{}',    -- JSON object
    encryption_type  TEXT NOT NULL DEFAULT 'NONE',  -- 'NONE' | 'KMS'
    key_id           TEXT                           -- the KMS key, while encrypted
);

CREATE TABLE kinesis_shards (
    stream        TEXT NOT NULL REFERENCES kinesis_streams(name) ON DELETE CASCADE,
    ix            INTEGER NOT NULL,                 -- shardId-<ix, 12 digits>
    start_hash    TEXT NOT NULL,
    end_hash      TEXT NOT NULL,
    created       INTEGER NOT NULL,                 -- epoch seconds, part of its sequence numbers
    last_counter  INTEGER NOT NULL DEFAULT 0,       -- counter of the newest record (0: none yet)
    parent           INTEGER,                       -- the shard split or merged into this one
    adjacent_parent  INTEGER,                       -- the other shard of a merge
    closed_at        REAL,                          -- clock time of the split or merge that closed it
    PRIMARY KEY (stream, ix)
) WITHOUT ROWID;

-- The records a put added to one shard, packed in one row: a row per record costs a put of 500
-- records most of its time. Counters first..last are consecutive. With the shard and the arrival
-- time they make the sequence numbers (see services/kinesis/sequence.py). `body` holds each
-- record as (partition key length: u16, data length: u32, key, data), see records.py. No foreign
-- key: the service checks the stream and deletes its records with it.
CREATE TABLE kinesis_records (
    stream   TEXT NOT NULL,
    shard    INTEGER NOT NULL,
    first    INTEGER NOT NULL,                      -- counter of the first record in the row
    last     INTEGER NOT NULL,                      -- counter of the last
    arrival  REAL NOT NULL,                         -- ApproximateArrivalTimestamp, epoch seconds
    kms      INTEGER NOT NULL DEFAULT 0,            -- 1: put while the stream was encrypted
    body     BLOB NOT NULL,
    PRIMARY KEY (stream, shard, first)
) WITHOUT ROWID
