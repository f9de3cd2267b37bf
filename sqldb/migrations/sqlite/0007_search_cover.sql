-- PostgreSQL adds a covering index for full-text searches here; SQLite's search plan (an index
-- walk in sort order, sqldb/search.go) does not need one. Kept so both dialects share versions.
SELECT 1;
