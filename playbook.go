package haven

import (
	"context"
	"time"
)

// Playbook is a stored procedure for an incident type: its YAML source (package playbook parses
// and validates it) and what lists show. It is the helpline's know-how, not personal data: every
// signed-in user reads playbooks; leads and admins write them. Each change is a new version.
type Playbook struct {
	ID         int64             `json:"id"`
	Name       string            `json:"name"`
	Title      map[string]string `json:"title"`
	Categories []string          `json:"categories"`
	Auto       bool              `json:"auto"` // applied to new cases of its categories
	Version    int               `json:"version"`
	Source     string            `json:"source,omitempty"` // the YAML
	UpdatedBy  string            `json:"updated_by,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// PlaybookRun is a playbook applied to a case, at the version it had then.
type PlaybookRun struct {
	ID         int64               `json:"id"`
	CaseID     int64               `json:"case_id"`
	PlaybookID int64               `json:"playbook_id"`
	Name       string              `json:"playbook"`
	Version    int                 `json:"version"`
	AppliedAt  time.Time           `json:"applied_at"`
	AppliedBy  string              `json:"applied_by,omitempty"`
	Decisions  []*PlaybookDecision `json:"decisions"`
}

// PlaybookDecision is an answer given to a decision step of a run.
type PlaybookDecision struct {
	RunID     int64     `json:"run_id"`
	StepID    string    `json:"step"`
	AnswerID  string    `json:"answer"`
	DecidedAt time.Time `json:"decided_at"`
	DecidedBy string    `json:"decided_by,omitempty"`
}

// Decision answers a decision step on a case.
type Decision struct {
	Step   string `json:"step"`
	Answer string `json:"answer"`
	Run    int64  `json:"run"` // optional: which run, when several have the step
}

// OpenDecision is a decision of a playbook applied to a case still waiting for its answer, in the
// case's language, as the case page offers it.
type OpenDecision struct {
	RunID    int64            `json:"run"`
	Step     string           `json:"step"`
	Question string           `json:"question"`
	Answers  []DecisionAnswer `json:"answers"`
}

// DecisionAnswer is one answer a decision offers.
type DecisionAnswer struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// PlaybookService manages playbooks and applies them to cases.
type PlaybookService interface {
	Playbooks(ctx context.Context) ([]*Playbook, error)
	Playbook(ctx context.Context, name string) (*Playbook, error)
	// SavePlaybook creates a playbook from its YAML, or makes a new version of the one of that
	// name; created tells which.
	SavePlaybook(ctx context.Context, source string) (p *Playbook, created bool, err error)
	// ApplyPlaybook creates the tasks of the playbook's first steps on the case.
	ApplyPlaybook(ctx context.Context, number, name string) ([]*Task, error)
	// Decide records the answer to a decision step and creates that answer's tasks.
	Decide(ctx context.Context, number string, d Decision) ([]*Task, error)
	// PlaybookRuns lists the playbooks applied to a case, with their decisions.
	PlaybookRuns(ctx context.Context, number string) ([]*PlaybookRun, error)
	// OpenDecisions lists the case's decisions waiting for an answer, with the answers offered.
	OpenDecisions(ctx context.Context, number string) ([]*OpenDecision, error)
}

// PlaybookStore keeps playbooks, their versions and their runs on cases.
type PlaybookStore interface {
	InsertPlaybook(ctx context.Context, p *Playbook, by int64) error
	// UpdatePlaybook stores p as its next version (p.Version is the new number).
	UpdatePlaybook(ctx context.Context, p *Playbook, by int64) error
	PlaybookByName(ctx context.Context, name string) (*Playbook, error)
	PlaybookVersion(ctx context.Context, id int64, version int) (*Playbook, error)
	Playbooks(ctx context.Context) ([]*Playbook, error)
	InsertPlaybookRun(ctx context.Context, r *PlaybookRun, by int64) error
	CasePlaybookRuns(ctx context.Context, caseID int64) ([]*PlaybookRun, error)
	// InsertPlaybookDecision records an answer; a step already answered in the run is ECONFLICT.
	InsertPlaybookDecision(ctx context.Context, d *PlaybookDecision, by int64) error
}
