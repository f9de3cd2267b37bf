-- Blind search terms start with an eight-character marker instead of "zz" (sqldb/blindterm.go):
-- every prefix list the index keeps for them is then the marker's, one entry per document,
-- instead of six lists of hash digits per term. The stored parts hold only blind terms, each
-- followed by a space; the index documents of the cases that have parts are derived from them,
-- and written again by the same transaction (sqldb.reindexBlindTerms).
UPDATE search_parts SET body = substr(replace(' ' || body, ' zz', ' ىzzzzzzz'), 2);
