-- Playbooks: procedures kept as their YAML source (package playbook parses and validates it),
-- with what lists show in columns. Every version is kept, and a case's run names the version it
-- was applied from, so later edits never change what a case was told to do.
CREATE TABLE playbooks (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE,
	title      TEXT NOT NULL,
	categories TEXT NOT NULL DEFAULT '[]',
	auto       BOOLEAN NOT NULL DEFAULT FALSE,
	version    INTEGER NOT NULL,
	source     TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by INTEGER REFERENCES users(id)
);
CREATE TABLE playbook_versions (
	playbook_id INTEGER NOT NULL REFERENCES playbooks(id),
	version     INTEGER NOT NULL,
	source      TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	created_by  INTEGER REFERENCES users(id),
	PRIMARY KEY (playbook_id, version)
);
-- A playbook applied to a case, and the answers given to its decisions.
CREATE TABLE playbook_runs (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	playbook_id INTEGER NOT NULL REFERENCES playbooks(id),
	version     INTEGER NOT NULL,
	applied_at  BIGINT NOT NULL,
	applied_by  INTEGER REFERENCES users(id)
);
CREATE INDEX playbook_runs_case ON playbook_runs(case_id);
CREATE TABLE playbook_decisions (
	run_id     INTEGER NOT NULL REFERENCES playbook_runs(id),
	step_id    TEXT NOT NULL,
	answer_id  TEXT NOT NULL,
	decided_at BIGINT NOT NULL,
	decided_by INTEGER REFERENCES users(id),
	PRIMARY KEY (run_id, step_id)
);
-- A task made from a playbook's step: its run and step, whether it must be done before the case
-- closes, whether it is a decision, and the template and article the step suggests.
ALTER TABLE tasks ADD COLUMN run_id INTEGER REFERENCES playbook_runs(id);
ALTER TABLE tasks ADD COLUMN step_id TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN required BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tasks ADD COLUMN decision BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tasks ADD COLUMN template TEXT NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN article TEXT NOT NULL DEFAULT '';
