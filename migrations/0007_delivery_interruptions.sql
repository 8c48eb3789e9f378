-- How often handling a delivery was cut short: the process died while it
-- was processing (a crash, out of memory, kill -9), or it ran past its time
-- limit. A delivery interrupted twice is parked as failed rather than tried
-- again at every start.
ALTER TABLE deliveries ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0;
