-- PostgreSQL's search documents are rewritten (sqldb/search.go, nextPostgres in
-- sqldb/search_read.go):
--   - each word is replaced by its prefixes from three letters up to eight (the whole word when
--     shorter; blind terms stay as they are), as SQLite's prefix lists hold them: a query word is
--     then one exact term, where a prefix query ("whatsapp:*") made the GIN index gather every
--     term it expands to on each read;
--   - each document gains the term of its bucket of 1,024 case ids ('~b' and the id divided by
--     1,024) and of its block of 65,536 ('~B', the id divided by 65,536): a search asks the GIN
--     index for the matches among the newest buckets (or blocks, for a wide range), newest
--     first, instead of testing the newest documents one by one;
--   - and a term for each of its case's categories ('~c' and the key) and tags ('~t' and the
--     tag), and for its priority ('~p' and the rank): the GIN index intersects a word with a
--     category or a priority.
-- No query word can be a '~' term ('~' is never part of a word). The terms of an older document
-- come from its lexemes; the index is built again once, after the rewrite.
DROP INDEX case_search_tsv;
UPDATE case_search s SET tsv = array_to_tsvector(ARRAY(
	SELECT w.lexeme FROM unnest(s.tsv) w
		WHERE w.lexeme ~ '^zz[0-9a-f]{16}$' OR (char_length(w.lexeme) < 3 AND left(w.lexeme, 1) <> '~')
	UNION
	SELECT left(w.lexeme, n) FROM unnest(s.tsv) w, generate_series(3, 8) n
		WHERE char_length(w.lexeme) >= n AND w.lexeme !~ '^zz[0-9a-f]{16}$' AND left(w.lexeme, 1) <> '~'
	UNION
	SELECT '~b' || (s.case_id / 1024)::text
	UNION
	SELECT '~B' || (s.case_id / 65536)::text
	UNION
	SELECT '~' || l.kind || l.label FROM case_labels l WHERE l.case_id = s.case_id
	UNION
	SELECT '~p' || c.priority_rank FROM cases c WHERE c.id = s.case_id));
CREATE INDEX case_search_tsv ON case_search USING GIN (tsv);
