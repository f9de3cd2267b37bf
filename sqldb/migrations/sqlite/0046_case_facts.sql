-- Per-case facts for filtered dashboards (issue 15): a narrow copy of what the statistics count
-- of each case — times, codes and ids, never a title or a person — kept by the roll-up job from
-- the same dirty days (a case's creation day is marked by every write to it). A dashboard
-- filtered by team, country or category reads these rows through an index on the filter and
-- the period instead of each case with its joins, SLA state and subqueries.
CREATE TABLE case_facts (
	case_id INTEGER PRIMARY KEY,
	created_at        BIGINT NOT NULL,
	closed_key        BIGINT NOT NULL, -- closed_at, or 9223372036854775807 while open
	first_response_at BIGINT NOT NULL DEFAULT 0,
	team_id           INTEGER,
	assignee_id       INTEGER,
	country           TEXT NOT NULL DEFAULT '',
	language          TEXT NOT NULL DEFAULT '',
	channel           TEXT NOT NULL DEFAULT '',
	priority_rank     INTEGER NOT NULL DEFAULT 0,
	outcome           TEXT NOT NULL DEFAULT '',
	categories        TEXT NOT NULL DEFAULT '[]',
	consent           BOOLEAN NOT NULL DEFAULT FALSE,
	platforms         TEXT NOT NULL DEFAULT '',
	sla_first         TEXT NOT NULL DEFAULT '', -- met, breached, running or '' (no clock)
	sla_resolution    TEXT NOT NULL DEFAULT '',
	restricted        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX case_facts_day ON case_facts(created_at);
CREATE INDEX case_facts_team ON case_facts(team_id, closed_key, created_at);
CREATE INDEX case_facts_country ON case_facts(country, closed_key, created_at);
CREATE INDEX case_facts_restricted ON case_facts(closed_key, created_at) WHERE restricted = TRUE;
-- The same facts once per category of the case and each category above it (a filter on a
-- category covers its branch), so that a category's period is one range of one index with its
-- rows beside it, no look-up of each case's facts.
CREATE TABLE case_fact_categories (
	case_id           BIGINT NOT NULL,
	category          TEXT NOT NULL,
	created_at        BIGINT NOT NULL,
	closed_key        BIGINT NOT NULL,
	first_response_at BIGINT NOT NULL DEFAULT 0,
	team_id           INTEGER,
	assignee_id       INTEGER,
	country           TEXT NOT NULL DEFAULT '',
	language          TEXT NOT NULL DEFAULT '',
	channel           TEXT NOT NULL DEFAULT '',
	priority_rank     INTEGER NOT NULL DEFAULT 0,
	outcome           TEXT NOT NULL DEFAULT '',
	categories        TEXT NOT NULL DEFAULT '[]',
	consent           BOOLEAN NOT NULL DEFAULT FALSE,
	platforms         TEXT NOT NULL DEFAULT '',
	sla_first         TEXT NOT NULL DEFAULT '',
	sla_resolution    TEXT NOT NULL DEFAULT '',
	restricted        BOOLEAN NOT NULL DEFAULT FALSE,
	PRIMARY KEY (case_id, category)
);
CREATE INDEX case_fact_categories_period ON case_fact_categories(category, closed_key, created_at);
-- The job replaces a day's roll-ups: their rows of that day through an index, not a whole scan.
-- (day, dim): PostgreSQL took an index of the day alone for a dimension's period too, reading
-- every dimension's rows of it.
CREATE INDEX case_rollups_day ON case_rollups(day, dim);
-- Every day is computed again by the job: the facts, and the SLA figures the roll-ups now hold.
INSERT INTO rollup_dirty (day) SELECT DISTINCT created_at / 86400000000 FROM cases WHERE TRUE ON CONFLICT (day) DO NOTHING;
