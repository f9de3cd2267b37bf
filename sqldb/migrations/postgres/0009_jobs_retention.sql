-- Background jobs: a table-backed queue. A job is claimed by leasing it (locked_until); a worker
-- that dies loses its lease and the job runs again. unique_key makes a periodic slot (e.g. the
-- retention purge of one day) run once however many instances schedule it; finished rows stay a
-- while so that the key stays taken, then are deleted.
CREATE TABLE jobs (
	id           BIGSERIAL PRIMARY KEY,
	kind         TEXT NOT NULL,
	payload      TEXT NOT NULL DEFAULT '{}',
	unique_key   TEXT UNIQUE,
	run_at       BIGINT NOT NULL,
	attempts     INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL DEFAULT 10,
	locked_by    TEXT NOT NULL DEFAULT '',
	locked_until BIGINT NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	created_at   BIGINT NOT NULL,
	finished_at  BIGINT,
	state        TEXT NOT NULL DEFAULT 'queued' -- queued, done, dead
);
CREATE INDEX jobs_due ON jobs(state, run_at);
-- Retention: how long after closure each category's personal data is kept. A case with several
-- categories keeps its data for the longest of their periods; "*" is the default for the others.
CREATE TABLE retention_policies (
	category   TEXT PRIMARY KEY,
	days       INTEGER NOT NULL CHECK (days > 0),
	updated_at BIGINT NOT NULL
);
-- When a case's personal data was purged under its retention policy.
ALTER TABLE cases ADD COLUMN purged_at BIGINT;
CREATE INDEX cases_closed ON cases(closed_at) WHERE purged_at IS NULL AND closed_at IS NOT NULL;
-- Attachments: the bytes are stored encrypted (age) under a file key of their own (file_key,
-- sealed by the master key) in a blob named blob_id; the file name is encrypted under the row's
-- data key like any personal field. Destroying both keys shreds the attachment.
ALTER TABLE attachments ADD COLUMN blob_id TEXT NOT NULL DEFAULT '';
ALTER TABLE attachments ADD COLUMN file_key BYTEA;
ALTER TABLE attachments ADD COLUMN data_key BYTEA;
ALTER TABLE attachments ADD COLUMN suspicious_reason TEXT NOT NULL DEFAULT '';
