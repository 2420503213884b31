-- Number keys used to be normalized in Python's default decimal context, 28 significant
-- digits, instead of DynamoDB's 38: an item whose number key (of the table or of an index)
-- has more digits was stored under a rounded key, which another number could share. The
-- DynamoDB service re-encodes such items once, at its next start, and then deletes this row
-- (`eventsim.services.dynamodb.storage.repair_number_keys`).
CREATE TABLE ddb_repairs (
    name  TEXT PRIMARY KEY
);
INSERT INTO ddb_repairs (name)
    SELECT 'number-keys-38-digits' WHERE EXISTS (SELECT 1 FROM ddb_items);
