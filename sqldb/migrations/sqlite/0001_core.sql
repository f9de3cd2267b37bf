-- Haven core schema (SQLite). Times are microseconds since the Unix epoch, UTC, in both dialects,
-- so that one SQL text serves both and keyset cursors compare integers.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	display_name  TEXT NOT NULL DEFAULT '',
	email         TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL CHECK (role IN ('handler','lead','admin','auditor')),
	password_hash TEXT NOT NULL,
	language      TEXT NOT NULL DEFAULT 'en',
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    BIGINT NOT NULL
);
CREATE TABLE teams (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
CREATE TABLE team_members (
	team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, user_id)
);
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE TABLE api_tokens (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name       TEXT NOT NULL DEFAULT '',
	token_hash TEXT NOT NULL UNIQUE,
	read_only  BOOLEAN NOT NULL DEFAULT FALSE,
	created_at BIGINT NOT NULL,
	last_used  BIGINT,
	revoked    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE organisations (
	id      INTEGER PRIMARY KEY,
	name    TEXT NOT NULL,
	country TEXT NOT NULL DEFAULT '',
	kind    TEXT NOT NULL DEFAULT ''
);
CREATE TABLE requesters (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL DEFAULT '',
	pseudonym       TEXT NOT NULL DEFAULT '',
	pgp_key         TEXT NOT NULL DEFAULT '',
	languages       TEXT NOT NULL DEFAULT '[]',
	organisation_id INTEGER REFERENCES organisations(id),
	vetting         TEXT NOT NULL DEFAULT 'unvetted',
	vouched_by      TEXT NOT NULL DEFAULT '',
	risk_notes      TEXT NOT NULL DEFAULT '',
	merged_into     INTEGER REFERENCES requesters(id),
	created_at      BIGINT NOT NULL,
	updated_at      BIGINT NOT NULL
);
CREATE TABLE requester_contacts (
	id           INTEGER PRIMARY KEY,
	requester_id INTEGER NOT NULL REFERENCES requesters(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	value        TEXT NOT NULL,
	normalized   TEXT NOT NULL,
	UNIQUE (kind, normalized)
);
CREATE INDEX requester_contacts_requester ON requester_contacts(requester_id);
CREATE TABLE case_counters (
	year INTEGER PRIMARY KEY,
	last BIGINT NOT NULL
);
CREATE TABLE categories (
	slug   TEXT PRIMARY KEY,
	name   TEXT NOT NULL,
	parent TEXT REFERENCES categories(slug)
);
CREATE TABLE cases (
	id                 INTEGER PRIMARY KEY,
	number             TEXT NOT NULL UNIQUE,
	title              TEXT NOT NULL,
	summary            TEXT NOT NULL DEFAULT '',
	status             TEXT NOT NULL,
	priority_rank      INTEGER NOT NULL CHECK (priority_rank BETWEEN 1 AND 4),
	categories         TEXT NOT NULL DEFAULT '[]',
	tags               TEXT NOT NULL DEFAULT '[]',
	language           TEXT NOT NULL DEFAULT '',
	country            TEXT NOT NULL DEFAULT '',
	region             TEXT NOT NULL DEFAULT '',
	assignee_id        INTEGER REFERENCES users(id),
	team_id            INTEGER REFERENCES teams(id),
	tier               INTEGER NOT NULL DEFAULT 1,
	tlp                TEXT NOT NULL DEFAULT 'amber',
	consent            TEXT NOT NULL DEFAULT '{}',
	requester_id       INTEGER REFERENCES requesters(id),
	first_response_due BIGINT,
	resolution_due     BIGINT,
	due_sort           BIGINT NOT NULL,
	outcome            TEXT NOT NULL DEFAULT '',
	created_at         BIGINT NOT NULL,
	updated_at         BIGINT NOT NULL,
	closed_at          BIGINT,
	version            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_updated ON cases(updated_at, id);
CREATE INDEX cases_priority ON cases(priority_rank, updated_at DESC, id DESC);
CREATE INDEX cases_due ON cases(due_sort, id);
CREATE INDEX cases_status ON cases(status, updated_at);
CREATE INDEX cases_assignee ON cases(assignee_id, updated_at);
CREATE INDEX cases_team ON cases(team_id, updated_at);
CREATE INDEX cases_requester ON cases(requester_id);
-- case_labels indexes tags (kind 't') and categories (kind 'c') for filtering; cases.tags and
-- cases.categories keep the same lists for display without a join.
CREATE TABLE case_labels (
	case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	kind    TEXT NOT NULL,
	label   TEXT NOT NULL,
	PRIMARY KEY (kind, label, case_id)
);
CREATE INDEX case_labels_case ON case_labels(case_id);
CREATE TABLE reports (
	id          INTEGER PRIMARY KEY,
	channel     TEXT NOT NULL,
	external_id TEXT NOT NULL DEFAULT '',
	dedupe_key  TEXT UNIQUE,
	raw         BLOB,
	case_id     INTEGER REFERENCES cases(id),
	received_at BIGINT NOT NULL
);
CREATE INDEX reports_case ON reports(case_id);
CREATE TABLE messages (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	direction   TEXT NOT NULL,
	channel     TEXT NOT NULL,
	from_addr   TEXT NOT NULL DEFAULT '',
	to_addrs    TEXT NOT NULL DEFAULT '[]',
	subject     TEXT NOT NULL DEFAULT '',
	text_body   TEXT NOT NULL DEFAULT '',
	html_body   TEXT NOT NULL DEFAULT '',
	encrypted   BOOLEAN NOT NULL DEFAULT FALSE,
	message_id  TEXT NOT NULL DEFAULT '',
	in_reply_to TEXT NOT NULL DEFAULT '',
	refs        TEXT NOT NULL DEFAULT '[]',
	status      TEXT NOT NULL DEFAULT 'recorded',
	author_id   INTEGER REFERENCES users(id),
	created_at  BIGINT NOT NULL
);
CREATE INDEX messages_case ON messages(case_id, id);
CREATE INDEX messages_message_id ON messages(message_id);
CREATE TABLE notes (
	id         INTEGER PRIMARY KEY,
	case_id    INTEGER NOT NULL REFERENCES cases(id),
	author_id  INTEGER REFERENCES users(id),
	body       TEXT NOT NULL,
	visibility TEXT NOT NULL DEFAULT 'team',
	created_at BIGINT NOT NULL
);
CREATE INDEX notes_case ON notes(case_id, id);
CREATE TABLE tasks (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	title       TEXT NOT NULL,
	guidance    TEXT NOT NULL DEFAULT '',
	done        BOOLEAN NOT NULL DEFAULT FALSE,
	assignee_id INTEGER REFERENCES users(id),
	due_at      BIGINT,
	position    INTEGER NOT NULL DEFAULT 0,
	created_at  BIGINT NOT NULL,
	done_at     BIGINT
);
CREATE INDEX tasks_case ON tasks(case_id, position);
CREATE TABLE attachments (
	id           INTEGER PRIMARY KEY,
	case_id      INTEGER NOT NULL REFERENCES cases(id),
	message_id   INTEGER REFERENCES messages(id),
	filename     TEXT NOT NULL DEFAULT '',
	content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
	size         BIGINT NOT NULL,
	sha256       TEXT NOT NULL,
	quarantined  BOOLEAN NOT NULL DEFAULT FALSE,
	created_at   BIGINT NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id);
CREATE TABLE events (
	id          INTEGER PRIMARY KEY,
	at          BIGINT NOT NULL,
	actor_id    INTEGER REFERENCES users(id),
	action      TEXT NOT NULL,
	object_type TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	case_id     INTEGER REFERENCES cases(id),
	data        TEXT NOT NULL DEFAULT '{}',
	client_ip   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_case ON events(case_id, id);
-- search_parts holds the normalised text of each searchable piece attached to a case (each note,
-- each message body); the full-text index holds the case's own title and summary followed by them.
CREATE TABLE search_parts (
	case_id INTEGER NOT NULL REFERENCES cases(id),
	part    TEXT NOT NULL,
	body    TEXT NOT NULL,
	PRIMARY KEY (case_id, part)
);
-- detail=none: Haven only runs prefix AND queries, never phrases, so positions would be dead weight.
CREATE VIRTUAL TABLE case_search USING fts5(body, content='', contentless_delete=1, detail=none,
	tokenize='unicode61 remove_diacritics 0');
