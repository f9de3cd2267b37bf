-- Each PostgreSQL search document gains two kinds of terms that no query word can be ('~' is
-- never part of a word; see sqldb/search.go and nextPostgres in sqldb/search_read.go):
--   - the term of its bucket of 1,024 case ids ('~b' and the id divided by 1,024): a search asks
--     the GIN index for the matches among the newest buckets, newest first, instead of testing
--     the newest documents one by one;
--   - a term for each of its case's categories ('~c' and the key) and tags ('~t' and the tag):
--     the GIN index intersects a word with a category instead of looking the category up for
--     each match.
UPDATE case_search s SET tsv = s.tsv || array_to_tsvector(ARRAY['~b' || (s.case_id / 1024)::text]
	|| ARRAY(SELECT '~' || l.kind || l.label FROM case_labels l WHERE l.case_id = s.case_id));
