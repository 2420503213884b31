-- Lambda: published versions and aliases of functions, and the version each invocation ran.

-- A published version: an immutable snapshot of a function's configuration and code
-- (services.lambda_.models.FunctionConfig, JSON, with its own code directory).
CREATE TABLE function_versions (
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    config      TEXT NOT NULL,
    created_at  REAL NOT NULL,
    PRIMARY KEY (name, version)
) WITHOUT ROWID;

-- An alias: a name pointing at a version, with optional weighted routing to a second one
-- (services.lambda_.aliases.Alias, JSON).
CREATE TABLE function_aliases (
    name        TEXT NOT NULL,
    alias       TEXT NOT NULL,
    config      TEXT NOT NULL,
    modified_at REAL NOT NULL,
    PRIMARY KEY (name, alias)
) WITHOUT ROWID;

ALTER TABLE invocations ADD COLUMN version TEXT NOT NULL DEFAULT '$LATEST';
