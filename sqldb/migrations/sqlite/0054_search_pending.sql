-- A case's search document is written into the full-text index after its transaction, with
-- hundreds of others at once (sqldb/searchlater.go): FTS5 flushed and merged a segment of every
-- term at each commit, a third of the single writer's time per case created. The transaction
-- records here that the case's document is to be written; the stamp tells whose in-memory copy of
-- the document is the latest (each process draws its own). A row can always be acted on from the
-- case and its search parts, so a crash loses no document: the next writer of the index writes it.
CREATE TABLE search_pending (
	case_id INTEGER PRIMARY KEY,
	stamp   INTEGER NOT NULL
);
