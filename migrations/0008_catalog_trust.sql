-- What the catalog says stays true (issue 13).

-- The sample organisation (serve --demo) is a source of its own, demo:...,
-- kept apart from real data and removed with callboard unregister demo. A
-- database seeded before keeps its sample under the new names: the sample's
-- four repositories (GitHub ids 900001-900004, which GitHub never hands out
-- to acme's) and, when no installed repository of acme exists, acme's
-- teams and people with them.
UPDATE entities SET source = 'demo:github-org:acme'
 WHERE source = 'github-org:acme'
   AND (SELECT count(*) FROM repositories WHERE github_id BETWEEN 900001 AND 900004 AND full_name LIKE 'acme/%') = 4
   AND NOT EXISTS (SELECT 1 FROM repositories WHERE installation_id IS NOT NULL AND full_name LIKE 'acme/%');
UPDATE entities SET source = 'demo:' || source
 WHERE source IN (SELECT source FROM repositories WHERE github_id BETWEEN 900001 AND 900004 AND full_name LIKE 'acme/%' AND source LIKE 'repo:%');
UPDATE repositories SET source = 'demo:' || source
 WHERE github_id BETWEEN 900001 AND 900004 AND full_name LIKE 'acme/%' AND source LIKE 'repo:%';

-- An archived repository's entities leave the catalog; who owned them then
-- stays on its row, so /owner can say "owned by payments until it was
-- archived on DATE".
ALTER TABLE repositories ADD COLUMN archived_at INTEGER NOT NULL DEFAULT 0;    -- unix ms; 0 while not archived
ALTER TABLE repositories ADD COLUMN former_owners TEXT NOT NULL DEFAULT '[]';  -- JSON list of the owner refs the catalog held then

-- Where the background work on deliveries has got to, by id:
-- 'redelivery', the newest of GitHub's hook delivery ids the missed-delivery
-- check has looked at (they only grow, so the next check stops there);
-- 'payloads', the delivery id up to which old payloads are emptied (ids
-- grow with the time received, so no index on that time is needed, and
-- webhook intake writes none).
CREATE TABLE delivery_marks (
    name       TEXT PRIMARY KEY,
    last_id    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL    -- unix milliseconds
) WITHOUT ROWID;
