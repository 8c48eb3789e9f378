-- What repositories are built with, for language and framework
-- fragmentation (issue 21): GitHub's language bytes and the dependencies
-- their root manifests (go.mod, package.json, pom.xml) declare, read by the
-- backfill's batched query and, on a push that touched a manifest, again.

-- The latest language bytes of each repository (its ten largest
-- languages); replaced whole when read again.
CREATE TABLE kpi_repo_languages (
    repo     TEXT NOT NULL COLLATE NOCASE,
    language TEXT NOT NULL,
    bytes    INTEGER NOT NULL CHECK (bytes >= 0),
    PRIMARY KEY (repo, language)
);

-- The dependencies a root manifest declares now (name@major, as
-- digest/kpi names them), with when callboard first saw each declared
-- there, so the trend shows when one came in.
CREATE TABLE kpi_repo_frameworks (
    repo       TEXT NOT NULL COLLATE NOCASE,
    manifest   TEXT NOT NULL,            -- go.mod, package.json, pom.xml
    framework  TEXT NOT NULL,
    first_seen INTEGER NOT NULL,         -- unix milliseconds
    PRIMARY KEY (repo, manifest, framework)
);
