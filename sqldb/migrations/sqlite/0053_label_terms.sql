-- SQLite's search documents gain a term for each category and tag of their case and for its
-- priority (sqldb/labelterms.go), so that FTS5 intersects a word with a label or a priority
-- itself: filtered in SQL match by match (or range by range through the labels' index), a
-- common word with a category or priority it rarely goes with read the whole corpus (80–240 ms
-- at a million cases for an empty page). A label's term is drawn once at random and kept here;
-- a category's rename moves its row, so no document is written again. The documents are
-- rebuilt after this script, in Go (search.go: rebuildSearch).
CREATE TABLE label_terms (
	kind  TEXT NOT NULL,
	label TEXT NOT NULL,
	term  TEXT NOT NULL UNIQUE,
	PRIMARY KEY (kind, label)
) WITHOUT ROWID;
INSERT INTO label_terms (kind, label, term)
	SELECT kind, label, lower(hex(randomblob(8))) FROM (SELECT DISTINCT kind, label FROM case_labels);
-- A label gets its term when a case first carries it, inside the engine (a statement more for
-- each case written cost intake ~5 %).
CREATE TRIGGER case_labels_term AFTER INSERT ON case_labels BEGIN
	INSERT INTO label_terms (kind, label, term) VALUES (NEW.kind, NEW.label, lower(hex(randomblob(8))))
		ON CONFLICT DO NOTHING;
END;
INSERT INTO case_search (case_search) VALUES ('delete-all');
