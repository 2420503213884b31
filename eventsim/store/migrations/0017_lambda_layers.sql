-- Lambda layers (eventsim.services.lambda_.layers): each published version of a layer, with
-- the directory its content is in. A deleted version keeps its row (deleted = 1): version
-- numbers are never reused, and a function that has it keeps working, as on AWS.
CREATE TABLE lambda_layer_versions (
    name           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    config         TEXT NOT NULL,                -- eventsim.services.lambda_.layers.LayerVersion, JSON
    deleted        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (name, version)
) WITHOUT ROWID;
