-- The weekly digest's own records.

-- Catalog coverage as it stood when a week's digest was rendered or sent, so
-- the next digest can say what changed "since last week". One row per ISO
-- week ("2026-W47"), the latest rendering wins.
CREATE TABLE digest_coverage (
    week         TEXT PRIMARY KEY,
    taken_at     INTEGER NOT NULL,   -- unix milliseconds
    repositories INTEGER NOT NULL,
    registered   INTEGER NOT NULL,
    invalid      INTEGER NOT NULL,
    owned        INTEGER NOT NULL,
    documented   INTEGER NOT NULL,
    entities     INTEGER NOT NULL
);

-- Each (week, channel, recipient) is sent at most once: a process claims the
-- row ('sending') before it sends, marks it 'sent' after, or 'failed' with the
-- error so the next run retries it.
CREATE TABLE digest_sends (
    week       TEXT NOT NULL,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'slack')),
    recipient  TEXT NOT NULL,        -- lower-case address, or the Slack channel
    state      TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 1,
    last_error TEXT NOT NULL DEFAULT '',
    claimed_at INTEGER NOT NULL,     -- unix milliseconds
    sent_at    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (week, channel, recipient)
) WITHOUT ROWID;

-- Merged pull requests (pull_request closed with merged = true), stored as
-- they arrive, for the KPIs: time to an engineer's 10th merged PR, and merges
-- per active developer per day. A redelivered event changes nothing.
CREATE TABLE merges (
    repo      TEXT NOT NULL COLLATE NOCASE,   -- org/repo
    number    INTEGER NOT NULL,
    author    TEXT NOT NULL COLLATE NOCASE,   -- GitHub login
    merged_at INTEGER NOT NULL,               -- unix milliseconds
    PRIMARY KEY (repo, number)
);
CREATE INDEX merges_merged_at ON merges (merged_at);
CREATE INDEX merges_author ON merges (author, merged_at);

-- New entities of a week are read by creation time.
CREATE INDEX entities_created_at ON entities (created_at);
