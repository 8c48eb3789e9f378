-- How often handling a delivery was cut short: the process died while it
-- was processing (a crash, out of memory, kill -9), or it ran past its time
-- limit. A delivery interrupted twice is parked as failed rather than tried
-- again at every start.
ALTER TABLE deliveries ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0;

-- A hash of each delivery's event and body: the signature covers the body
-- but not the delivery id, so a captured delivery replayed under a new id
-- is recognised (within an hour) and not processed again.
ALTER TABLE deliveries ADD COLUMN body_hash BLOB;
CREATE INDEX deliveries_body_hash ON deliveries (body_hash) WHERE body_hash IS NOT NULL;
