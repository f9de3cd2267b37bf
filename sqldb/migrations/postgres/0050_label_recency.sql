-- Labels carry their case's last update, with an index in that order, for text searches
-- filtered by a category or a tag (see the SQLite migration of the same number).
ALTER TABLE case_labels ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE case_labels l SET updated_at = c.updated_at FROM cases c WHERE c.id = l.case_id;
CREATE INDEX case_labels_recency ON case_labels(kind, label, updated_at, case_id);
CREATE FUNCTION case_labels_follow_case() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE case_labels SET updated_at = NEW.updated_at WHERE case_id = NEW.id;
	RETURN NULL;
END $$;
CREATE TRIGGER case_labels_follow_case AFTER UPDATE OF updated_at ON cases FOR EACH ROW
	WHEN (NEW.updated_at IS DISTINCT FROM OLD.updated_at) EXECUTE FUNCTION case_labels_follow_case();
