-- The catalog API answers as Backstage does, at least as fast (issue 16).

-- A search row keeps its value as written, for facets (Backstage counts the
-- values as written: "Production" and "production" apart). NULL when it is
-- the lower-cased value itself; a row whose value is '' and original NULL is
-- a null (or a value too long to index). Filled for the entities already
-- stored by the migration's Go step (catalog/store/reindex.go), which
-- re-encodes them as this version stores entities: namespace always
-- written, relation lists sorted, list items indexed as LIST.ITEM.
ALTER TABLE search_rows ADD COLUMN original TEXT;

-- Relations by type: facets over relations.TYPE and "relations.TYPE exists"
-- filters, without reading every relation.
CREATE INDEX relations_type ON relations (type, target_ref);

-- The relations an entity's own spec declares, as the API serves them (JSON,
-- sorted): a list is written without reading them back from the relations
-- table, which still answers filters and the opposite edges.
ALTER TABLE entities ADD COLUMN own_relations TEXT NOT NULL DEFAULT '[]';
