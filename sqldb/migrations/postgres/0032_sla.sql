-- SLA clocks (issue 13): what a case's clocks need beyond the case (its answers, pauses while
-- waiting for the requester, warnings and breaches), and the business calendars they follow.
CREATE TABLE case_sla (
	case_id       BIGINT PRIMARY KEY REFERENCES cases(id),
	body          TEXT NOT NULL, -- JSON: first response, last update, resolution, pauses, warned, breached
	next_check_at BIGINT
);
CREATE INDEX case_sla_next_check ON case_sla(next_check_at) WHERE next_check_at IS NOT NULL;

CREATE TABLE business_calendars (
	name       TEXT PRIMARY KEY,
	body       TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);
