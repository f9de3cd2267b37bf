-- The inbox's SLA clock (issue 16): when the next update to the requester is due, so that a
-- case's due_sort is its most urgent running clock. Cases answered before this migration get
-- it at their clocks' next check (the SLA job), which comes before that clock's warning.
ALTER TABLE cases ADD COLUMN next_update_due BIGINT;
