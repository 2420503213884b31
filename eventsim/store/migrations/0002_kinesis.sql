-- Kinesis Data Streams. Hash keys are 128-bit, beyond SQLite's integers: decimal text.
CREATE TABLE kinesis_streams (
    name             TEXT PRIMARY KEY,
    mode             TEXT NOT NULL,                 -- 'PROVISIONED' | 'ON_DEMAND'
    retention_hours  INTEGER NOT NULL,
    created_at       REAL NOT NULL,                 -- clock time, epoch seconds
    tags             TEXT NOT NULL DEFAULT '{}'     -- JSON object
);

CREATE TABLE kinesis_shards (
    stream        TEXT NOT NULL REFERENCES kinesis_streams(name) ON DELETE CASCADE,
    ix            INTEGER NOT NULL,                 -- shardId-<ix, 12 digits>
    start_hash    TEXT NOT NULL,
    end_hash      TEXT NOT NULL,
    last_counter  INTEGER NOT NULL DEFAULT 0,       -- counter of the newest record (0: none yet)
    PRIMARY KEY (stream, ix)
) WITHOUT ROWID;

-- One row per record. The counter orders the records of a shard, and with the shard and the
-- arrival time makes the sequence number (see services/kinesis/sequence.py). No foreign key:
-- the service checks the stream and deletes its records with it, and a put skips the lookups.
CREATE TABLE kinesis_records (
    stream         TEXT NOT NULL,
    shard          INTEGER NOT NULL,
    counter        INTEGER NOT NULL,
    partition_key  TEXT NOT NULL,
    data           BLOB NOT NULL,
    arrival        REAL NOT NULL,                   -- ApproximateArrivalTimestamp, epoch seconds
    PRIMARY KEY (stream, shard, counter)
) WITHOUT ROWID
