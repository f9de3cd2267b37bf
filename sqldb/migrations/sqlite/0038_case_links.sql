-- Links between cases (issue 16): "related" links, shown on both cases, and "duplicate" marks.
-- A related link is stored once, lower case id first. A duplicate row points from the duplicate
-- (case_id) to the case that absorbed its correspondence (other_id); a case is the duplicate of
-- at most one case. Kept apart from the cases row so that no case read pays for it.
CREATE TABLE case_links (
	case_id    INTEGER NOT NULL REFERENCES cases(id),
	other_id   INTEGER NOT NULL REFERENCES cases(id),
	kind       TEXT NOT NULL CHECK (kind IN ('related', 'duplicate')),
	created_by INTEGER REFERENCES users(id),
	created_at BIGINT NOT NULL,
	CHECK (case_id <> other_id),
	PRIMARY KEY (case_id, other_id, kind)
);
CREATE INDEX case_links_other ON case_links(other_id, kind);
CREATE UNIQUE INDEX case_links_one_survivor ON case_links(case_id) WHERE kind = 'duplicate';
