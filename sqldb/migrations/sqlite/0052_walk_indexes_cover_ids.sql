-- PostgreSQL's cases_status and cases_team gain the case id in 0052 (see there); SQLite's
-- indexes hold the rowid, which is the id, already. The number is kept so that both dialects
-- stay in step.
SELECT 1;
