-- SQLite's full-text index merges its segments when the writer is idle from 0049 (see there).
-- PostgreSQL's GIN index has no segments: nothing to change; the number is kept so that both
-- dialects stay in step.
SELECT 1;
