-- Observables and their sightings (issue 14). An observable's value is personal data: sealed
-- with the row's data key and found by a keyed blind index of its type and value. Flags, verdict
-- and markings are codes, kept plain so lists and exports filter cheaply.
CREATE TABLE observables (
	id          INTEGER PRIMARY KEY,
	type        TEXT NOT NULL,
	blind       TEXT NOT NULL UNIQUE,
	value       TEXT NOT NULL,
	unicode     TEXT NOT NULL DEFAULT '',
	flags       TEXT NOT NULL DEFAULT '',
	verdict     TEXT NOT NULL DEFAULT '',
	tlp         TEXT NOT NULL DEFAULT 'amber',
	pap         TEXT NOT NULL DEFAULT 'amber',
	confidence  INTEGER NOT NULL DEFAULT 0,
	comment     TEXT NOT NULL DEFAULT '',
	techniques  TEXT NOT NULL DEFAULT '',
	source      TEXT NOT NULL DEFAULT '',
	known_bad   BOOLEAN NOT NULL DEFAULT FALSE,
	first_seen  BIGINT,
	last_seen   BIGINT,
	updated_at  BIGINT NOT NULL,
	data_key    BLOB
);
CREATE INDEX observables_known_bad ON observables(id) WHERE known_bad = TRUE;

-- One row per observable and case: what correlation reads, newest first, a page at a time.
CREATE TABLE observable_cases (
	observable_id INTEGER NOT NULL REFERENCES observables(id),
	case_id       INTEGER NOT NULL REFERENCES cases(id),
	first_seen    BIGINT NOT NULL,
	last_seen     BIGINT NOT NULL,
	PRIMARY KEY (observable_id, case_id)
);
CREATE INDEX observable_cases_recent ON observable_cases(observable_id, last_seen, case_id);
CREATE INDEX observable_cases_case ON observable_cases(case_id);

-- Every time a value was seen: in which message, note or file, and in what role.
CREATE TABLE observable_sightings (
	id            INTEGER PRIMARY KEY,
	observable_id INTEGER NOT NULL REFERENCES observables(id),
	case_id       INTEGER NOT NULL REFERENCES cases(id),
	source        TEXT NOT NULL,
	source_id     BIGINT NOT NULL,
	role          TEXT NOT NULL,
	seen_at       BIGINT NOT NULL,
	UNIQUE (observable_id, source, source_id, role)
);
CREATE INDEX observable_sightings_recent ON observable_sightings(observable_id, id);
CREATE INDEX observable_sightings_case ON observable_sightings(case_id);

-- Threat actors and campaigns cases are grouped under. An actor may be one person (a stalker, an
-- abusive ex-partner): names, aliases and descriptions are sealed; the name's blind index keeps
-- names unique per kind.
CREATE TABLE threat_groups (
	id          INTEGER PRIMARY KEY,
	kind        TEXT NOT NULL,
	name        TEXT NOT NULL,
	name_blind  TEXT NOT NULL,
	aliases     TEXT NOT NULL DEFAULT '[]',
	description TEXT NOT NULL DEFAULT '',
	tlp         TEXT NOT NULL DEFAULT 'amber',
	actor_kind  TEXT NOT NULL DEFAULT '',
	actors      TEXT NOT NULL DEFAULT '',
	techniques  TEXT NOT NULL DEFAULT '',
	first_seen  BIGINT,
	last_seen   BIGINT,
	created_at  BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	data_key    BLOB,
	UNIQUE (kind, name_blind)
);
CREATE TABLE case_groups (
	case_id  INTEGER NOT NULL REFERENCES cases(id),
	group_id INTEGER NOT NULL REFERENCES threat_groups(id),
	PRIMARY KEY (case_id, group_id)
);
CREATE INDEX case_groups_group ON case_groups(group_id, case_id);
-- ATT&CK technique ids a case is tagged with.
CREATE TABLE case_techniques (
	case_id   INTEGER NOT NULL REFERENCES cases(id),
	technique TEXT NOT NULL,
	PRIMARY KEY (case_id, technique)
);
