-- A bucket's configurations other than notifications and versioning
-- (eventsim.services.s3.bucket_settings): one JSON value per setting name ('tagging', 'policy',
-- 'cors', 'encryption', 'public_access_block'). A setting without a row has S3's default for
-- a new bucket; deleting the bucket deletes its settings.
CREATE TABLE bucket_settings (
    bucket  TEXT NOT NULL REFERENCES buckets(name) ON DELETE CASCADE,
    name    TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (bucket, name)
) WITHOUT ROWID;
