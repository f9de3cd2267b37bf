-- Escalations to platforms (issue 12). A platform's channels (addresses, notes, OpenPGP keys) are
-- kept as one sealed JSON value; its response targets are hours per escalation kind.
ALTER TABLE platforms ADD COLUMN channels TEXT NOT NULL DEFAULT '';
ALTER TABLE platforms ADD COLUMN targets TEXT NOT NULL DEFAULT '{}';
ALTER TABLE platforms ADD COLUMN data_key BLOB;

-- An escalation's subject, body, address and reference may name the requester: they are sealed
-- with the row's data key. The figures (states and times) stay plain so statistics are cheap.
CREATE TABLE escalations (
	id                INTEGER PRIMARY KEY,
	case_id           INTEGER NOT NULL REFERENCES cases(id),
	platform          TEXT NOT NULL REFERENCES platforms(slug),
	kind              TEXT NOT NULL,
	channel           TEXT NOT NULL,
	state             TEXT NOT NULL,
	owner_id          INTEGER REFERENCES users(id),
	address           TEXT NOT NULL DEFAULT '',
	subject           TEXT NOT NULL DEFAULT '',
	body              TEXT NOT NULL DEFAULT '',
	reference         TEXT NOT NULL DEFAULT '',
	personal_data     BOOLEAN NOT NULL DEFAULT TRUE,
	consent_override  BOOLEAN NOT NULL DEFAULT FALSE,
	encrypted         BOOLEAN NOT NULL DEFAULT FALSE,
	message_id        INTEGER REFERENCES messages(id),
	template_id       INTEGER,
	template_version  INTEGER,
	reply_token       TEXT NOT NULL UNIQUE,
	target_hours      INTEGER NOT NULL DEFAULT 0,
	created_at        BIGINT NOT NULL,
	sent_at           BIGINT,
	first_response_at BIGINT,
	closed_at         BIGINT,
	due_at            BIGINT,
	next_reminder_at  BIGINT,
	reminders         INTEGER NOT NULL DEFAULT 0,
	data_key          BLOB
);
CREATE INDEX escalations_case ON escalations(case_id, id);
-- Statistics read every escalation of a period from this index alone (the rows carry sealed text).
CREATE INDEX escalations_sent ON escalations(sent_at, case_id, platform, kind, state, first_response_at, closed_at, due_at);
CREATE INDEX escalations_reminder ON escalations(next_reminder_at) WHERE next_reminder_at IS NOT NULL;

-- Correspondence with a platform belongs to its escalation as well as to the case.
ALTER TABLE messages ADD COLUMN escalation_id INTEGER REFERENCES escalations(id);

-- Statistics find the few restricted cases a reader may not see, then read escalations unjoined.
CREATE INDEX cases_restricted ON cases(id) WHERE restricted = TRUE;
