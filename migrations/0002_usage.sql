-- Usage events from callboard's own features and from other internal tools.
CREATE TABLE usage_events (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,     -- unix milliseconds, UTC
    plugin   TEXT NOT NULL,
    action   TEXT NOT NULL,
    actor    TEXT NOT NULL,
    entity   TEXT NOT NULL DEFAULT '',
    outcome  TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX usage_events_at ON usage_events (at, plugin);
