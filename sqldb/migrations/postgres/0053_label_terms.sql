-- SQLite's search documents gain the terms of their labels and priority in 0053 (see there);
-- PostgreSQL's have carried them since 0051. The number is kept so that both dialects stay in
-- step.
SELECT 1;
