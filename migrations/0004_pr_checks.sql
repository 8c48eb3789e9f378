-- The one callboard comment on each pull request, so it is edited in place
-- without listing the pull request's comments again.
CREATE TABLE pr_comments (
    repository_id INTEGER NOT NULL,
    number        INTEGER NOT NULL,
    comment_id    INTEGER NOT NULL,
    PRIMARY KEY (repository_id, number)
);
