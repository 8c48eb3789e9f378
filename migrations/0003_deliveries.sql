-- GitHub webhook deliveries, stored before the 202 and processed by workers.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    delivery_id     TEXT NOT NULL UNIQUE,      -- X-GitHub-Delivery
    event           TEXT NOT NULL,             -- X-GitHub-Event
    action          TEXT NOT NULL DEFAULT '',
    installation_id INTEGER NOT NULL DEFAULT 0,
    repository      TEXT NOT NULL DEFAULT '',  -- org/repo, for people reading the list
    ordering_key    TEXT NOT NULL,             -- deliveries with one key run in order
    payload         BLOB NOT NULL,
    received_at     INTEGER NOT NULL,          -- unix milliseconds
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'processing', 'done', 'ignored', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    finished_at     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_state ON deliveries (state, id);

-- The catalog files a repository's root catalog file led to (Location targets),
-- so a push that touches any of them re-reads the repository.
ALTER TABLE repositories ADD COLUMN catalog_files TEXT NOT NULL DEFAULT '[]';
