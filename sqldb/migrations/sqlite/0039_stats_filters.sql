-- A dashboard filtered by team, country or category counts the cases themselves (issue 15). The
-- cases a period needs are those opened before its end and not closed before its start: "closed
-- (or, when open, the end of time) on or after the start" is one range of these expression
-- indexes, per team, per country, or overall.
CREATE INDEX cases_period ON cases(COALESCE(closed_at, 9223372036854775807), created_at);
CREATE INDEX cases_team_period ON cases(team_id, COALESCE(closed_at, 9223372036854775807), created_at);
CREATE INDEX cases_country_period ON cases(country, COALESCE(closed_at, 9223372036854775807), created_at);
