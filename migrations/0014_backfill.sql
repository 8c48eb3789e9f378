-- What a backfill reads of each repository beyond its catalog status
-- (primary language, topics, fork, last push), and where the latest
-- backfill of each installation stands, for /metrics in any process.
CREATE TABLE repository_facts (
    github_id  INTEGER PRIMARY KEY REFERENCES repositories (github_id) ON DELETE CASCADE,
    fork       INTEGER NOT NULL DEFAULT 0,
    language   TEXT NOT NULL DEFAULT '',
    topics     TEXT NOT NULL DEFAULT '[]',  -- JSON list, as GitHub orders them
    pushed_at  INTEGER                      -- unix seconds; NULL: never pushed
);

CREATE TABLE backfills (
    installation_id INTEGER PRIMARY KEY,
    account         TEXT NOT NULL DEFAULT '',
    done            INTEGER NOT NULL,
    total           INTEGER NOT NULL,
    rate            REAL NOT NULL,     -- repositories a second
    points_left     INTEGER NOT NULL,  -- -1: not known
    calls_left      INTEGER NOT NULL,
    seconds_left    REAL NOT NULL,
    paused_until    INTEGER NOT NULL DEFAULT 0,  -- unix seconds; 0: not paused
    finished        INTEGER NOT NULL DEFAULT 0,
    updated_at      INTEGER NOT NULL
);
