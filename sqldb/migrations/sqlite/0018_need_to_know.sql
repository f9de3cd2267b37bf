-- A contact value no longer names one person: a case opened for an address whose holder the
-- opener may not see gets a new, separate requester (merged later by someone who sees both), so
-- the blind index is looked up, not unique. SQLite cannot drop a table constraint: rebuild.
CREATE TABLE requester_contacts_new (
	id           INTEGER PRIMARY KEY,
	requester_id INTEGER NOT NULL REFERENCES requesters(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	value        TEXT NOT NULL,
	normalized   TEXT NOT NULL
);
INSERT INTO requester_contacts_new (id, requester_id, kind, value, normalized)
	SELECT id, requester_id, kind, value, normalized FROM requester_contacts;
DROP TABLE requester_contacts;
ALTER TABLE requester_contacts_new RENAME TO requester_contacts;
CREATE INDEX requester_contacts_requester ON requester_contacts(requester_id);
CREATE INDEX requester_contacts_lookup ON requester_contacts(kind, normalized);
-- The address a case's replies go to, fixed per case: a change of the requester's address
-- reaches a restricted case only once someone on the case confirms it (pending until then).
-- Both are encrypted under the row's data key; blind is the keyed hash of the address.
CREATE TABLE case_correspondents (
	id       INTEGER PRIMARY KEY,
	case_id  INTEGER NOT NULL UNIQUE REFERENCES cases(id) ON DELETE CASCADE,
	address  TEXT NOT NULL,
	blind    TEXT NOT NULL,
	pending  TEXT NOT NULL DEFAULT '',
	data_key BLOB NOT NULL
);
-- The case a report was first linked to: erasure of that case's person follows the report even
-- after it was linked elsewhere (only someone who sees both cases may move it).
ALTER TABLE reports ADD COLUMN origin_case_id BIGINT REFERENCES cases(id);
UPDATE reports SET origin_case_id = case_id;
CREATE INDEX reports_origin_case ON reports(origin_case_id);
-- The free text of an event (a transition's reason, a task's title, a region, tags, a delivery
-- error) lives here, encrypted, and not in the hash-chained event, which can never be purged:
-- the event holds only detail_id. Erasure and retention delete a case's details.
CREATE TABLE event_details (
	id       INTEGER PRIMARY KEY,
	case_id  INTEGER REFERENCES cases(id),
	detail   TEXT NOT NULL,
	data_key BLOB NOT NULL
);
CREATE INDEX event_details_case ON event_details(case_id);
