-- Prefix queries ("whats*", "حسا*") must not expand over the vocabulary and merge every
-- matching document list in memory (corpus-bound: ~0.7 µs per matching case): the index keeps
-- ready-made lists for prefixes of 3 to 8 letters, so a prefix reads like one word, newest case
-- first, and stops after a page. FTS5 options cannot be altered, so the table is recreated;
-- the documents are derived data (normalised in Go), which the migration then writes again
-- (sqldb.rebuildSearch, run in the same transaction).
DROP TABLE case_search;
CREATE VIRTUAL TABLE case_search USING fts5(body, content='', contentless_delete=1, detail=none,
	tokenize='unicode61 remove_diacritics 0', prefix='3 4 5 6 7 8');
