-- PostgreSQL's search documents gain the terms of their buckets of case ids and of their labels
-- in 0051 (see there). SQLite's full-text index returns matches in case order already and is
-- read through the labels' index by ranges: nothing to change; the number is kept so that both
-- dialects stay in step.
SELECT 1;
