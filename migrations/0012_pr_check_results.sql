-- The latest callboard check of each open pull request, for the Slack App
-- Home's "pull-request checks failing": written at each check, removed
-- when the pull request closes (merged or not).
CREATE TABLE pr_check_results (
    repository_id INTEGER NOT NULL,               -- GitHub's id: a rename keeps the row
    repository    TEXT NOT NULL COLLATE NOCASE,   -- org/repo as GitHub named it at the check
    number        INTEGER NOT NULL,
    url           TEXT NOT NULL,                  -- the pull request's page
    author        TEXT NOT NULL,                  -- GitHub login
    conclusion    TEXT NOT NULL,                  -- the check run's: success, neutral, failure
    checked_at    INTEGER NOT NULL,               -- unix milliseconds
    PRIMARY KEY (repository_id, number)
);
CREATE INDEX pr_check_results_repository ON pr_check_results (repository, conclusion);
