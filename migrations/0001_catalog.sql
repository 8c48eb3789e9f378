-- Entities as their catalog files declared them, plus what GitHub teams and users became.
CREATE TABLE entities (
    id         INTEGER PRIMARY KEY,
    ref        TEXT NOT NULL UNIQUE,   -- kind:namespace/name, lower-case
    kind       TEXT NOT NULL,          -- lower-case
    namespace  TEXT NOT NULL,
    name       TEXT NOT NULL,          -- lower-case
    uid        TEXT NOT NULL UNIQUE,
    etag       TEXT NOT NULL,
    source     TEXT NOT NULL,          -- what ingested it, replaced as a whole: file:PATH, repo:ID, github-org:ORG
    location   TEXT NOT NULL,          -- the file that declared it (url:... or file:...)
    body       TEXT NOT NULL,          -- the entity as JSON, without uid, etag and relations
    search     TEXT NOT NULL DEFAULT '[]',  -- its search_rows as JSON [[key_id, value], ...], to delete them exactly
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX entities_source ON entities (source);
CREATE INDEX entities_name ON entities (name);
CREATE INDEX entities_kind ON entities (kind, name);

-- Relations as the declaring entity's spec states them (ownedBy, partOf, ...).
-- The opposite edges (ownerOf, hasPart, ...) are read through relations_target.
CREATE TABLE relations (
    entity_id  INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    type       TEXT NOT NULL,
    target_ref TEXT NOT NULL,
    PRIMARY KEY (entity_id, type, target_ref)
) WITHOUT ROWID;
CREATE INDEX relations_target ON relations (target_ref);

-- Flattened, lower-cased key/value pairs for Backstage's filter semantics.
-- Keys are numbered: they repeat in every row and are often longer than the
-- value. value is '' for a key whose value is too long to index.
CREATE TABLE search_keys (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE
);
-- No index on entity_id: each entity lists its rows (entities.search), and
-- they are deleted by primary key, which halves the cost of writing them.
CREATE TABLE search_rows (
    key_id    INTEGER NOT NULL,
    value     TEXT NOT NULL,
    entity_id INTEGER NOT NULL,
    PRIMARY KEY (key_id, value, entity_id)
) WITHOUT ROWID;
CREATE VIEW search AS
    SELECT k.key AS key, r.value AS value, r.entity_id AS entity_id
    FROM search_rows r JOIN search_keys k ON k.id = r.key_id;

-- Full-text index over what people search for (rowid = entities.id).
CREATE VIRTUAL TABLE entities_fts USING fts5 (
    name, title, description, tags, kind UNINDEXED,
    tokenize = 'unicode61'
);

-- Every repository callboard knows, with or without a catalog file.
CREATE TABLE repositories (
    id               INTEGER PRIMARY KEY,
    github_id        INTEGER UNIQUE,
    full_name        TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- org/repo
    name             TEXT NOT NULL COLLATE NOCASE,
    description      TEXT NOT NULL DEFAULT '',
    html_url         TEXT NOT NULL DEFAULT '',
    default_branch   TEXT NOT NULL DEFAULT 'main',
    private          INTEGER NOT NULL DEFAULT 0,
    archived         INTEGER NOT NULL DEFAULT 0,
    installation_id  INTEGER,
    source           TEXT NOT NULL,      -- the entities source this repository's files feed
    catalog_path     TEXT NOT NULL DEFAULT '',
    catalog_status   TEXT NOT NULL DEFAULT 'missing' CHECK (catalog_status IN ('registered', 'missing', 'invalid')),
    catalog_problems TEXT NOT NULL DEFAULT '[]',   -- JSON list of problems
    codeowners_path  TEXT NOT NULL DEFAULT '',
    codeowners       TEXT NOT NULL DEFAULT '',     -- JSON of the parsed file
    updated_at       INTEGER NOT NULL
);
CREATE INDEX repositories_name ON repositories (name);
