package haven

import (
	"context"
	"strings"
	"time"
)

// Task is a step of work on a case, often from a playbook.
type Task struct {
	ID        int64      `json:"id"`
	CaseID    int64      `json:"case_id"`
	Title     string     `json:"title"`
	Guidance  string     `json:"guidance"`
	Done      bool       `json:"done"`
	Assignee  string     `json:"assignee"`
	DueAt     *time.Time `json:"due_at,omitempty"`
	Position  int        `json:"position"`
	CreatedAt time.Time  `json:"created_at"`
	DoneAt    *time.Time `json:"done_at,omitempty"`
	// A task made from a playbook's step: the run (the playbook applied to the case) and step it
	// came from, whether the case may close while it is open, whether it is a decision to take
	// (answered through POST …/decisions), and the template and article the step suggests.
	RunID    int64  `json:"playbook_run,omitempty"`
	StepID   string `json:"step,omitempty"`
	Required bool   `json:"required,omitempty"`
	Decision bool   `json:"decision,omitempty"`
	Template string `json:"template,omitempty"`
	Article  string `json:"article,omitempty"`
}

// TaskCreate adds a task to a case.
type TaskCreate struct {
	Title    string     `json:"title"`
	Guidance string     `json:"guidance"`
	Assignee string     `json:"assignee"`
	DueAt    *time.Time `json:"due_at"`
}

// Validate checks the input.
func (t *TaskCreate) Validate() error {
	v := Validation{}
	t.Title = strings.TrimSpace(t.Title)
	v.Check(t.Title != "", "title", "a task needs a title")
	v.Check(len(t.Title) <= MaxTitle, "title", "too long")
	v.Check(len(t.Guidance) <= MaxSummary, "guidance", "too long")
	return v.Err()
}

// TaskUpdate changes a task; nil leaves a field as it is.
type TaskUpdate struct {
	Title    *string    `json:"title"`
	Done     *bool      `json:"done"`
	Assignee *string    `json:"assignee"`
	DueAt    *time.Time `json:"due_at"`
	Position *int       `json:"position"` // the task's place in the case's order
}

// Overdue reports whether t is open past its due date at now.
func (t *Task) Overdue(now time.Time) bool { return !t.Done && t.DueAt != nil && t.DueAt.Before(now) }

// TaskService manages tasks.
type TaskService interface {
	AddTask(ctx context.Context, number string, in TaskCreate) (*Task, error)
	UpdateTask(ctx context.Context, number string, taskID int64, u TaskUpdate) (*Task, error)
	Tasks(ctx context.Context, number string) ([]*Task, error)
}

// TaskStore is what the service layer needs from storage for tasks.
type TaskStore interface {
	InsertTask(ctx context.Context, t *Task) error
	TaskByID(ctx context.Context, id int64) (*Task, error)
	UpdateTask(ctx context.Context, t *Task) error
	CaseTasks(ctx context.Context, caseID int64) ([]*Task, error)
}
