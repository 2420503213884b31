-- DynamoDB: tables, items (with sortable key columns), secondary index entries, streams.
CREATE TABLE ddb_tables (
    name        TEXT PRIMARY KEY,
    definition  TEXT NOT NULL,                  -- services.dynamodb.tables.TableDef, JSON
    created_at  REAL NOT NULL
);

-- pk / sk hold services.dynamodb.keys.encode_key of the key values: memcmp order is
-- DynamoDB's order (N numerically, S by UTF-8 bytes, B by bytes). sk is X'' without a range key.
CREATE TABLE ddb_items (
    table_name  TEXT NOT NULL REFERENCES ddb_tables(name) ON DELETE CASCADE,
    pk          BLOB NOT NULL,
    sk          BLOB NOT NULL,
    item        TEXT NOT NULL,                  -- DynamoDB JSON, blobs in base64
    size        INTEGER NOT NULL,
    PRIMARY KEY (table_name, pk, sk)
) WITHOUT ROWID;

-- One row per item present in a secondary index (sparse: items lacking the index keys are absent).
CREATE TABLE ddb_index_items (
    table_name  TEXT NOT NULL,
    index_name  TEXT NOT NULL,
    pk          BLOB NOT NULL,
    sk          BLOB NOT NULL,
    item_pk     BLOB NOT NULL,
    item_sk     BLOB NOT NULL,
    PRIMARY KEY (table_name, index_name, pk, sk, item_pk, item_sk),
    FOREIGN KEY (table_name, item_pk, item_sk) REFERENCES ddb_items(table_name, pk, sk)
        ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX ddb_index_items_by_item ON ddb_index_items (table_name, item_pk, item_sk);

-- Streams outlive their table (records stay readable for 24 hours), so no foreign key to it.
CREATE TABLE ddb_streams (
    arn          TEXT PRIMARY KEY,
    table_name   TEXT NOT NULL,
    label        TEXT NOT NULL,
    view_type    TEXT NOT NULL,
    key_schema   TEXT NOT NULL,                 -- KeySchema as the API shapes it, JSON
    shard_id     TEXT NOT NULL,
    created_at   REAL NOT NULL,
    disabled_at  REAL,                          -- set when the stream is turned off (shard closed)
    next_seq     INTEGER NOT NULL
);

CREATE TABLE ddb_stream_records (
    stream_arn  TEXT NOT NULL REFERENCES ddb_streams(arn) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    created_at  REAL NOT NULL,
    record      TEXT NOT NULL,                  -- the record as Lambda receives it, JSON
    PRIMARY KEY (stream_arn, seq)
) WITHOUT ROWID;
