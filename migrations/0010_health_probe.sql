-- A scratch table for the readiness probe: after the disk was found full,
-- /readyz writes (and removes) a page here to learn whether there is room
-- again. It never holds a row between probes.
CREATE TABLE health_probe (
    id   INTEGER PRIMARY KEY,
    page BLOB NOT NULL
);
