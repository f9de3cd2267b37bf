-- Response plans: a case's tasks put up for a lead's approval.
CREATE TABLE plans (
	id         INTEGER PRIMARY KEY,
	case_id    INTEGER NOT NULL REFERENCES cases(id),
	state      TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	created_by INTEGER REFERENCES users(id),
	decided_at BIGINT,
	decided_by INTEGER REFERENCES users(id)
);
CREATE INDEX plans_case ON plans(case_id);
CREATE TABLE plan_tasks (
	plan_id INTEGER NOT NULL REFERENCES plans(id),
	task_id INTEGER NOT NULL REFERENCES tasks(id),
	PRIMARY KEY (plan_id, task_id)
);
