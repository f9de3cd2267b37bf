-- SQLite writes search documents after their transaction from 0054 on (see there); PostgreSQL's
-- GIN index is written by each transaction as before. The number is kept so that both dialects
-- stay in step.
SELECT 1;
