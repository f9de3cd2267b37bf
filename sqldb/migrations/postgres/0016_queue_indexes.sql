-- The inbox queues ("mine", "unassigned", "my team") are sorted by priority by default: these
-- indexes give them their page in index order instead of sorting every matching case.
CREATE INDEX cases_assignee_priority ON cases(assignee_id, priority_rank, updated_at DESC, id DESC);
CREATE INDEX cases_team_priority ON cases(team_id, priority_rank, updated_at DESC, id DESC);
