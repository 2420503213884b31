-- Lambda event source mappings and their pollers' checkpoints.
CREATE TABLE event_source_mappings (
    uuid        TEXT PRIMARY KEY,
    config      TEXT NOT NULL,                  -- services.lambda_.mapping_model.Mapping, JSON
    created_at  REAL NOT NULL
);

-- Where a mapping's poller goes on in one shard: the position of the next record to deliver
-- (a Kinesis record counter, a DynamoDB stream sequence offset). Written in the unit that
-- records the invocation whose outcome moved it. No foreign key: the mapping's deletion
-- removes them in its own unit.
CREATE TABLE esm_checkpoints (
    uuid        TEXT NOT NULL,
    shard       TEXT NOT NULL,
    position    INTEGER NOT NULL,
    updated_at  REAL NOT NULL,
    window      TEXT,                           -- open tumbling window: {"start", "state"} JSON
    PRIMARY KEY (uuid, shard)
) WITHOUT ROWID;
