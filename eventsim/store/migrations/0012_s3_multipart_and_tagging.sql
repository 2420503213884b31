-- S3 multipart uploads in progress and their parts. CompleteMultipartUpload turns the listed
-- parts into an object and deletes the upload (its parts go with it), and AbortMultipartUpload
-- deletes it. Parts are big (5 MiB and up): a rowid table, not WITHOUT ROWID.
CREATE TABLE multipart_uploads (
    upload_id     TEXT PRIMARY KEY,
    bucket        TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    initiated     REAL NOT NULL,
    content_type  TEXT,
    metadata      TEXT NOT NULL DEFAULT '{}',   -- user metadata given at CreateMultipartUpload
    headers       TEXT NOT NULL DEFAULT '{}',   -- other stored headers, as objects.headers
    tags          TEXT NOT NULL DEFAULT '{}'    -- the object's tags, as objects.tags
);
CREATE INDEX multipart_uploads_listing ON multipart_uploads (bucket, key, initiated);

CREATE TABLE multipart_parts (
    id            INTEGER PRIMARY KEY,
    upload_id     TEXT NOT NULL REFERENCES multipart_uploads(upload_id) ON DELETE CASCADE,
    part_number   INTEGER NOT NULL,
    body          BLOB NOT NULL,
    size          INTEGER NOT NULL,
    etag          TEXT NOT NULL,                -- quoted, as UploadPart answered it
    last_modified REAL NOT NULL,
    UNIQUE (upload_id, part_number)
);

-- Object tags (PutObject's x-amz-tagging, PutObjectTagging), JSON {key: value} in the order
-- given. A new write of the key replaces the row, and with it the tags.
ALTER TABLE objects ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
