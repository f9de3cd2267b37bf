-- Open cases are what handlers look at, and at 100,000 cases most are closed: a partial index on
-- the open ones gives the "all open" and "emergencies" queues (and their counts) their rows
-- without walking the closed ones. The waiting queue, a short list of statuses, gets its page
-- from an index led by status instead of walking every case in priority order (1 s at 100,000).
CREATE INDEX cases_open_priority ON cases(priority_rank, updated_at DESC, id DESC)
	WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX cases_status_priority ON cases(status, priority_rank, updated_at DESC, id DESC);
-- The same for open cases sorted by SLA due time or by last update: the closed ones, which come
-- first in due order (their deadlines are past), are never walked.
CREATE INDEX cases_open_due ON cases(due_sort, id) WHERE status NOT IN ('resolved', 'closed');
CREATE INDEX cases_open_updated ON cases(updated_at DESC, id DESC) WHERE status NOT IN ('resolved', 'closed');
