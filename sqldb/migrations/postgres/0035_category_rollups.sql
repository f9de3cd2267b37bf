-- A category's row in the statistics now covers its sub-categories (issue 15): the days that
-- hold a case under a sub-category are computed again by the roll-up job.
INSERT INTO rollup_dirty (day) SELECT DISTINCT c.created_at / 86400000000 FROM cases c
	JOIN case_labels l ON l.case_id = c.id AND l.kind = 'c' AND l.label LIKE '%/%'
	WHERE TRUE ON CONFLICT (day) DO NOTHING;
INSERT INTO rollup_dirty (day) SELECT DISTINCT c.closed_at / 86400000000 FROM cases c
	JOIN case_labels l ON l.case_id = c.id AND l.kind = 'c' AND l.label LIKE '%/%'
	WHERE c.closed_at IS NOT NULL ON CONFLICT (day) DO NOTHING;
