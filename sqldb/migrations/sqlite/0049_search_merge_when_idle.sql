-- The full-text index merges its segments in the background of writes: each commit of new
-- documents did merge work in proportion to them, a fifth of the single writer's time at 64
-- clients (automerge 4, FTS5's default). Merging 16 segments at a time instead halves the times
-- each entry is rewritten while writes come in; when the writer has nothing waiting it merges
-- what is left, four segments at a time (usermerge), so that an index at rest is as compact as
-- before (sqldb/searchmerge.go).
INSERT INTO case_search (case_search, rank) VALUES ('automerge', 16);
