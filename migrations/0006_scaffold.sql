-- Scaffold requests: one per issue of SCAFFOLD_REPO, with how far it got, so
-- a failure resumes where it stopped and a request never creates two
-- repositories.
CREATE TABLE scaffold_requests (
    repository_id   INTEGER NOT NULL,            -- GitHub id of the repository the issue is in
    issue_number    INTEGER NOT NULL,
    repository      TEXT NOT NULL,               -- its org/name, for people
    author          TEXT NOT NULL DEFAULT '',
    template_ref    TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL
                    CHECK (state IN ('refused', 'running', 'failed', 'done')),
    step            TEXT NOT NULL DEFAULT '',    -- the last step completed
    params          TEXT NOT NULL DEFAULT '{}',  -- the accepted answers (JSON), fixed once accepted
    owner_ref       TEXT NOT NULL DEFAULT '',
    target          TEXT NOT NULL DEFAULT '',    -- org/name of the repository to create
    create_started_at INTEGER NOT NULL DEFAULT 0, -- unix ms when its creation was first asked for
    created_repo_id INTEGER NOT NULL DEFAULT 0,  -- GitHub id of the repository this request created
    default_branch  TEXT NOT NULL DEFAULT '',
    commit_sha      TEXT NOT NULL DEFAULT '',
    entity_ref      TEXT NOT NULL DEFAULT '',
    comment_id      INTEGER NOT NULL DEFAULT 0,  -- the status comment (marker <!-- callboard:scaffold -->)
    result_comment_id INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,            -- unix ms
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (repository_id, issue_number)
);
-- A repository is created by one request at most.
CREATE UNIQUE INDEX scaffold_requests_created_repo ON scaffold_requests (created_repo_id) WHERE created_repo_id != 0;
CREATE INDEX scaffold_requests_target ON scaffold_requests (target);
