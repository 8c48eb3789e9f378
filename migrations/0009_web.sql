-- The web view's own records.

-- Random keys made once per database. The session cookie's signing key is
-- derived from the "session" key and the deployment's secret together, so
-- neither a copy of the database nor the secret alone can sign a session.
CREATE TABLE web_keys (
    name       TEXT PRIMARY KEY,
    key        BLOB NOT NULL,
    created_at INTEGER NOT NULL   -- unix milliseconds
) WITHOUT ROWID;

-- The line of the entity's document in the file that declared it, so an
-- entity page links to it; 0 when not known.
ALTER TABLE entities ADD COLUMN line INTEGER NOT NULL DEFAULT 0;

-- An entity page reads its own usage (8 weeks, by plugin) and its
-- repository's latest pull-request check.
CREATE INDEX usage_events_entity ON usage_events (entity, at);
