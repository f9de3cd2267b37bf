-- Checkpoints of the audit chain (issue 18, haven doctor): each full verification that found the
-- chain intact records the position and link it reached, keyed with an HMAC under the index key
-- so that a checkpoint cannot be forged by someone who can only write to the database. A later
-- check verifies from the newest checkpoint on; a full verification still walks every event.
CREATE TABLE audit_checkpoints (
	seq         BIGINT PRIMARY KEY,
	hash        TEXT NOT NULL,
	verified_at BIGINT NOT NULL, -- microseconds since 1970, UTC
	mac         TEXT NOT NULL
);
