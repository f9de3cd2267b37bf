-- Emergencies (issue 13): on-call schedules, escalation policies, and alerts that page them level
-- by level. A schedule is its JSON (time zone, layers, overrides): read whole, by name.
CREATE TABLE schedules (
	name       TEXT PRIMARY KEY,
	body       TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);

CREATE TABLE escalation_policies (
	name       TEXT PRIMARY KEY,
	body       TEXT NOT NULL, -- JSON: levels and repeat
	updated_at BIGINT NOT NULL
);

-- An alert's message may name the requester: sealed with the row's data key. level and round
-- are the next step to page; a step is claimed by a conditional update, so it pages once.
CREATE TABLE alerts (
	id              INTEGER PRIMARY KEY,
	case_id         INTEGER NOT NULL REFERENCES cases(id),
	policy          TEXT NOT NULL,
	state           TEXT NOT NULL,
	trigger_kind    TEXT NOT NULL,
	message         TEXT NOT NULL DEFAULT '',
	level           INTEGER NOT NULL DEFAULT 0,
	round           INTEGER NOT NULL DEFAULT 0,
	triggers        INTEGER NOT NULL DEFAULT 1,
	triggered_at    BIGINT NOT NULL,
	acknowledged_at BIGINT,
	acknowledged_by INTEGER REFERENCES users(id),
	resolved_at     BIGINT,
	resolved_by     INTEGER REFERENCES users(id),
	next_step_at    BIGINT,
	data_key        BLOB
);
-- One open alert per case: a second trigger adds to it.
CREATE UNIQUE INDEX alerts_open_case ON alerts(case_id) WHERE state <> 'resolved';
CREATE INDEX alerts_state ON alerts(state, id);

-- An alert's history: every page (per user and channel, with its result), escalation, ack.
CREATE TABLE alert_entries (
	id       INTEGER PRIMARY KEY,
	alert_id INTEGER NOT NULL REFERENCES alerts(id),
	at       BIGINT NOT NULL,
	kind     TEXT NOT NULL,
	level    INTEGER NOT NULL DEFAULT 0,
	user_id  INTEGER REFERENCES users(id),
	channel  TEXT NOT NULL DEFAULT '',
	result   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_entries_alert ON alert_entries(alert_id, id);
