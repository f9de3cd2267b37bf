-- Need-to-know. A case is restricted when it is in a compartment, names the users it is restricted
-- to, or is TLP:RED; cases.restricted says so, so the common unrestricted case costs nothing to
-- filter. Who may see a restricted case is decided by one SQL predicate (sqldb/visibility.go).
ALTER TABLE cases ADD COLUMN compartment TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE compartments (
	name TEXT PRIMARY KEY
);
CREATE TABLE compartment_members (
	compartment TEXT NOT NULL REFERENCES compartments(name) ON DELETE CASCADE,
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	PRIMARY KEY (compartment, user_id)
);
CREATE INDEX compartment_members_user ON compartment_members(user_id);
-- case_access: users a case is restricted to (kind 'named', no expiry), access a lead granted for a
-- while (kind 'grant') and break-glass openings (kind 'break-glass', with the reason).
CREATE TABLE case_access (
	case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind       TEXT NOT NULL CHECK (kind IN ('named', 'grant', 'break-glass')),
	expires_at BIGINT,
	granted_by INTEGER REFERENCES users(id),
	reason     TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL
);
CREATE INDEX case_access_case ON case_access(case_id, user_id);
CREATE INDEX case_access_user ON case_access(user_id);
INSERT INTO compartments (name) VALUES ('child-safety'), ('threat-to-life'), ('staff');
