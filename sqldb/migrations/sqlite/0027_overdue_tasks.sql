-- The inbox's "overdue tasks" queue reads the open tasks by due date.
CREATE INDEX tasks_open_due ON tasks(due_at) WHERE done = FALSE;
