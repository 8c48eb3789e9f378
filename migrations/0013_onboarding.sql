-- Onboarding pull requests (issue 17): what callboard proposed to each
-- repository without a catalog file, and what became of it.
CREATE TABLE onboarding_proposals (
    repository      TEXT PRIMARY KEY COLLATE NOCASE,   -- org/repo
    installation_id INTEGER NOT NULL DEFAULT 0,
    -- dry-run: shown, not opened; open, merged, closed (without a merge:
    -- "no thanks", never reopened); needs-owner: no owner could be inferred.
    state           TEXT NOT NULL CHECK (state IN ('dry-run', 'open', 'merged', 'closed', 'needs-owner')),
    number          INTEGER NOT NULL DEFAULT 0,        -- the pull request, when one was opened
    url             TEXT NOT NULL DEFAULT '',
    owner           TEXT NOT NULL DEFAULT '',          -- the inferred owner ref, '' when none
    title           TEXT NOT NULL DEFAULT '',
    file            TEXT NOT NULL DEFAULT '',          -- the proposed catalog-info.yaml
    body            TEXT NOT NULL DEFAULT '',          -- the pull request's body
    fingerprint     TEXT NOT NULL DEFAULT '',          -- hash of file, title and body as last written
    facts           TEXT NOT NULL DEFAULT '{}',        -- the evidence read from GitHub (files, committers), JSON
    facts_pushed_at INTEGER NOT NULL DEFAULT 0,        -- the repository's pushed_at when facts were read (unix ms)
    head_sha        TEXT NOT NULL DEFAULT '',          -- the branch head callboard last wrote: another one means a person edited it
    opened_at       INTEGER NOT NULL DEFAULT 0,        -- unix ms; 0 until a pull request is opened
    written_at      INTEGER NOT NULL DEFAULT 0,        -- when callboard last wrote the branch (unix ms)
    closed_at       INTEGER NOT NULL DEFAULT 0,        -- merged or closed (unix ms)
    updated_at      INTEGER NOT NULL
);
CREATE INDEX onboarding_proposals_owner ON onboarding_proposals (owner, state);
CREATE INDEX onboarding_proposals_opened ON onboarding_proposals (opened_at);
