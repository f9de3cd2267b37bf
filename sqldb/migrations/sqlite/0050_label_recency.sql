-- A text search filtered by a category or a tag completes its page by walking, newest update
-- first, the cases updated after the page's last case (sqldb/search_read.go). Status, priority
-- and team have indexes in update order of their own; a category had none, so the walk read every
-- case in that window and tested each for the label: 30-70 ms at a million cases for a common
-- word under a category holding a few percent of them. The labels now carry their case's last
-- update, kept by the insert (writeLabels) and by a trigger on every other change of it, with an
-- index in that order.
ALTER TABLE case_labels ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE case_labels SET updated_at = (SELECT c.updated_at FROM cases c WHERE c.id = case_labels.case_id);
CREATE INDEX case_labels_recency ON case_labels(kind, label, updated_at, case_id);
CREATE TRIGGER case_labels_follow_case AFTER UPDATE OF updated_at ON cases
	WHEN NEW.updated_at <> OLD.updated_at
BEGIN
	UPDATE case_labels SET updated_at = NEW.updated_at WHERE case_id = NEW.id;
END;
