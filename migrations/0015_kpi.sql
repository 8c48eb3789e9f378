-- Facts for the adoption KPIs (issue 21), recorded from webhooks as they
-- arrive. A redelivered event changes nothing.

-- The merge commit of each merged pull request (merges, 0005), so a
-- deployment of that commit is known to contain it.
CREATE TABLE kpi_merge_commits (
    repo   TEXT NOT NULL COLLATE NOCASE,
    number INTEGER NOT NULL,
    sha    TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (repo, number)
);
CREATE INDEX kpi_merge_commits_sha ON kpi_merge_commits (repo, sha);

-- When a person was first seen joining the organisation or one of its teams
-- (organization member_added, membership added).
CREATE TABLE kpi_joins (
    login     TEXT PRIMARY KEY COLLATE NOCASE,
    joined_at INTEGER NOT NULL    -- unix milliseconds
);

-- Successful deployments (deployment_status, state success), every
-- environment: which ones are production is decided when reading, so a
-- changed KPI_PRODUCTION_ENVIRONMENTS applies to the past too.
CREATE TABLE kpi_deploys (
    repo          TEXT NOT NULL COLLATE NOCASE,
    deployment_id INTEGER NOT NULL,
    sha           TEXT NOT NULL COLLATE NOCASE,
    environment   TEXT NOT NULL,
    at            INTEGER NOT NULL,    -- unix milliseconds: the first success
    PRIMARY KEY (repo, deployment_id)
);
CREATE INDEX kpi_deploys_at ON kpi_deploys (at);

-- Repositories as their events describe them: GitHub's primary language
-- (the latest seen) and, for those created while callboard watched, when.
CREATE TABLE kpi_repos (
    repo       TEXT PRIMARY KEY COLLATE NOCASE,
    first_seen INTEGER NOT NULL,
    language   TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL DEFAULT 0
);

-- DX pulse rounds and their answers. An answer is kept under a keyed hash of
-- the person's Slack id (the key is the round's, random), enough to take one
-- answer per person per round and never enough to name them.
CREATE TABLE pulse_rounds (
    round      TEXT PRIMARY KEY,   -- e.g. 2026-12-07
    started_at INTEGER NOT NULL,
    asked      INTEGER NOT NULL DEFAULT 0,
    salt       BLOB NOT NULL
);
CREATE TABLE pulse_answers (
    round      TEXT NOT NULL REFERENCES pulse_rounds (round),
    respondent BLOB NOT NULL,      -- HMAC-SHA256(salt, Slack team and user id)
    score      INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (round, respondent)
);
