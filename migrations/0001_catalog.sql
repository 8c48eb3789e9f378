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
    body       TEXT NOT NULL,          -- the entity as JSON, without relations
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX entities_source ON entities (source);
CREATE INDEX entities_name ON entities (name);
CREATE INDEX entities_kind ON entities (kind);

-- Relations, each held by the entity whose spec declared it (both directions).
CREATE TABLE relations (
    originating_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    source_ref     TEXT NOT NULL,
    type           TEXT NOT NULL,
    target_ref     TEXT NOT NULL
);
CREATE INDEX relations_source ON relations (source_ref, type);
CREATE INDEX relations_target ON relations (target_ref, type);
CREATE INDEX relations_originating ON relations (originating_id);

-- Flattened, lower-cased key/value pairs for Backstage's filter semantics.
CREATE TABLE search (
    entity_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT           -- NULL: the key exists but has no short scalar value
);
CREATE INDEX search_key_value ON search (key, value);
CREATE INDEX search_entity ON search (entity_id);

-- Full-text index over what people search for.
CREATE VIRTUAL TABLE entities_fts USING fts5 (
    name, title, description, tags, kind UNINDEXED,
    tokenize = 'trigram'
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
