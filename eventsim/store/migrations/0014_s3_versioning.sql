-- S3 bucket versioning (eventsim.services.s3.versioning).
--
-- A bucket's versioning state: NULL while it has never been enabled, then 'Enabled' or
-- 'Suspended' (a bucket never returns to unversioned).
ALTER TABLE buckets ADD COLUMN versioning TEXT;

-- The version id of each key's current version; 'null' is S3's null version (what every
-- write to an unversioned bucket, and to a suspended one, makes).
ALTER TABLE objects ADD COLUMN version_id TEXT NOT NULL DEFAULT 'null';

-- Every other version: the noncurrent versions of keys, and every delete marker. A key whose
-- latest version is a delete marker has no objects row; the newest row here is that marker.
-- id orders the versions of a key (higher is newer).
CREATE TABLE object_versions (
    id             INTEGER PRIMARY KEY,
    bucket         TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
    key            TEXT NOT NULL,
    version_id     TEXT NOT NULL,
    delete_marker  INTEGER NOT NULL DEFAULT 0,
    body           BLOB NOT NULL DEFAULT x'',
    size           INTEGER NOT NULL DEFAULT 0,
    etag           TEXT NOT NULL DEFAULT '',
    last_modified  REAL NOT NULL,
    content_type   TEXT,
    metadata       TEXT NOT NULL DEFAULT '{}',
    headers        TEXT NOT NULL DEFAULT '{}',
    tags           TEXT NOT NULL DEFAULT '{}',
    UNIQUE (bucket, key, version_id)
);
CREATE INDEX object_versions_by_key ON object_versions (bucket, key, id);
