-- SQLite's full-text index gains prefix lists in 0043 (see there). PostgreSQL keeps its GIN index
-- of tsvectors, whose prefix matching reads the index's sorted terms: nothing to change; the
-- number is kept so that both dialects stay in step.
SELECT 1;
