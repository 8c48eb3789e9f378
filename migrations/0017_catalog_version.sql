-- A number that grows with every change to the entities (issue 16). A read
-- transaction reads it with the rows it answers from, so what is computed
-- once for a version of the catalog (how many entities match a filter, a
-- facet's counts) is served again until the next change, by any process
-- that writes this file: the CLI's import as well as serve. Relations and
-- search rows change only with their entity's row, so the entities' rows
-- are enough to watch.
CREATE TABLE catalog_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO catalog_version (id, n) VALUES (1, 0);

CREATE TRIGGER catalog_version_insert AFTER INSERT ON entities
BEGIN
    UPDATE catalog_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER catalog_version_update AFTER UPDATE ON entities
BEGIN
    UPDATE catalog_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER catalog_version_delete AFTER DELETE ON entities
BEGIN
    UPDATE catalog_version SET n = n + 1 WHERE id = 1;
END;
