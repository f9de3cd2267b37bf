-- Reply templates: the helpline's know-how, not personal data (kept in clear). The current
-- version is in templates; every version, the current one included, in template_versions, so
-- a sent message can name the exact text it came from.
CREATE TABLE templates (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	categories TEXT NOT NULL DEFAULT '[]',
	variants   TEXT NOT NULL,
	version    INTEGER NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by INTEGER REFERENCES users(id),
	retired_at BIGINT
);
CREATE TABLE template_versions (
	template_id INTEGER NOT NULL REFERENCES templates(id),
	version     INTEGER NOT NULL,
	kind        TEXT NOT NULL,
	categories  TEXT NOT NULL,
	variants    TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	created_by  INTEGER REFERENCES users(id),
	PRIMARY KEY (template_id, version)
);
-- The template (and its version) a message was written from.
ALTER TABLE messages ADD COLUMN template_id INTEGER REFERENCES templates(id);
ALTER TABLE messages ADD COLUMN template_version INTEGER;
