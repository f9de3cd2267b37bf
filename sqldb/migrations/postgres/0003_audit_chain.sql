-- The audit trail is hash-chained: at commit every new event gets the next position (seq), the
-- hash of the event before it (prev_hash) and its own hash over both. audit_head keeps the last
-- position and hash, so removing the newest events is detected too.
ALTER TABLE events ADD COLUMN seq BIGINT;
ALTER TABLE events ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX events_seq ON events(seq);
CREATE INDEX events_actor ON events(actor_id, id);
CREATE INDEX events_at ON events(at, id);
CREATE TABLE audit_head (
	id       INTEGER PRIMARY KEY CHECK (id = 1),
	last_seq BIGINT NOT NULL,
	last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 0, '');
CREATE INDEX events_unsealed ON events(id) WHERE seq IS NULL;
