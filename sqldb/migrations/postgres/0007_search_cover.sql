-- A covering index for full-text searches: the page of matching case ids is chosen from this
-- narrow index (every column the filters, need-to-know and sort orders read) instead of fetching
-- each matching case's wide row, which made words of middling frequency slow (sqldb/search.go).
CREATE INDEX cases_cover ON cases (id) INCLUDE (updated_at, created_at, priority_rank, due_sort,
	status, restricted, assignee_id, team_id, compartment, tlp, requester_id);
