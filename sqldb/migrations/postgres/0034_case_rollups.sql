-- Per-day roll-ups of case statistics (issue 15): for each day and each dimension's value, the
-- cases opened and closed that day and histograms of their hours to first response and to
-- resolution. A write marks the days it changes dirty; a job recomputes those days from the
-- cases. Counts and codes only: nothing personal.
CREATE TABLE case_rollups (
	dim            TEXT NOT NULL,
	day            BIGINT NOT NULL, -- days since 1970-01-01, UTC
	key            TEXT NOT NULL,
	opened         INTEGER NOT NULL DEFAULT 0,
	closed         INTEGER NOT NULL DEFAULT 0,
	first_response TEXT NOT NULL DEFAULT '',
	resolution     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (dim, day, key)
);
-- All-time sums per dimension's value: the cases open before a day are these minus the days
-- from it on (recent days are few, the whole history is not).
CREATE TABLE case_rollup_totals (
	dim    TEXT NOT NULL,
	key    TEXT NOT NULL,
	opened BIGINT NOT NULL DEFAULT 0,
	closed BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (dim, key)
);
CREATE TABLE rollup_dirty (
	day BIGINT PRIMARY KEY
);
CREATE INDEX cases_created_at ON cases(created_at);
CREATE INDEX cases_closed_at ON cases(closed_at) WHERE closed_at IS NOT NULL;
-- The restricted cases of a period, which each reader's figures leave out unless they may see them.
CREATE INDEX cases_restricted_period ON cases(created_at, closed_at) WHERE restricted = TRUE;
-- Every existing day is computed once by the job.
INSERT INTO rollup_dirty (day) SELECT DISTINCT created_at / 86400000000 FROM cases WHERE TRUE ON CONFLICT (day) DO NOTHING;
INSERT INTO rollup_dirty (day) SELECT DISTINCT closed_at / 86400000000 FROM cases WHERE closed_at IS NOT NULL ON CONFLICT (day) DO NOTHING;
