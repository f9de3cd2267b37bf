-- SQLite's blind search terms gain a longer marker in 0047 (see there). PostgreSQL's GIN index
-- keeps no prefix lists, so its terms keep "zz": nothing to change; the number is kept so that
-- both dialects stay in step.
SELECT 1;
