package haven

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// EscalationPolicy says whom to page for an emergency, and then whom when nobody acknowledges:
// ordered levels, each with a delay before the next, the whole chain repeated Repeat more times.
type EscalationPolicy struct {
	Name      string        `json:"name"`
	Levels    []PolicyLevel `json:"levels"`
	Repeat    int           `json:"repeat"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// PolicyLevel pages its targets, then waits DelayMinutes for an acknowledgement before the next
// level is paged.
type PolicyLevel struct {
	Targets      []PolicyTarget `json:"targets"`
	DelayMinutes int            `json:"delay_minutes"`
}

// PolicyTarget is a schedule (whoever is on call), a user or a team (its leads and members).
type PolicyTarget struct {
	Kind string `json:"kind"` // schedule, user, team
	Name string `json:"name"`
}

// DefaultPolicy is the policy an alert follows when it names none.
const DefaultPolicy = "default"

var policyNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Validate checks the policy's shape; that its targets exist is the service's to check.
func (p *EscalationPolicy) Validate() error {
	v := Validation{}
	p.Name = strings.TrimSpace(p.Name)
	v.Check(policyNameRE.MatchString(p.Name), "name", "lower-case letters, digits and -, at most 63")
	v.Check(len(p.Levels) >= 1 && len(p.Levels) <= 10, "levels", "one to ten levels")
	v.Check(p.Repeat >= 0 && p.Repeat <= 10, "repeat", "0 to 10")
	for i, l := range p.Levels {
		field := fmt.Sprintf("levels[%d]", i)
		v.Check(len(l.Targets) >= 1 && len(l.Targets) <= 10, field, "one to ten targets")
		v.Check(l.DelayMinutes >= 1 && l.DelayMinutes <= 24*60, field, "delay_minutes from 1 to 1440")
		for _, t := range l.Targets {
			v.Check(slices.Contains([]string{"schedule", "user", "team"}, t.Kind) && t.Name != "", field,
				"each target is a schedule, user or team with a name")
		}
	}
	return v.Err()
}

// AlertState is where an emergency page stands.
type AlertState string

const (
	AlertTriggered    AlertState = "triggered"
	AlertAcknowledged AlertState = "acknowledged"
	AlertResolved     AlertState = "resolved"
)

// Alert triggers: what raised an alert.
const (
	TriggerPriority = "p1"       // a case created as, or raised to, P1
	TriggerManual   = "manual"   // "page on-call" by hand
	TriggerCategory = "category" // a case created in an emergency category
	TriggerMailbox  = "mailbox"  // mail to an emergency mailbox
)

// Alert is an emergency page about a case: it escalates level by level on time until someone
// acknowledges it. A case has at most one open (unresolved) alert; a second trigger adds to it.
type Alert struct {
	ID             int64        `json:"id"`
	CaseID         int64        `json:"-"`
	CaseNumber     string       `json:"case"`
	Policy         string       `json:"policy"`
	State          AlertState   `json:"state"`
	Trigger        string       `json:"trigger"`
	Message        string       `json:"message,omitempty"` // may name the requester: sealed at rest
	Level          int          `json:"level"`             // the next level to page (0-based); -1 once the chain is exhausted
	Round          int          `json:"round"`             // how many times the chain has restarted
	Triggers       int          `json:"triggers"`          // how many times it was raised
	TriggeredAt    time.Time    `json:"triggered_at"`
	AcknowledgedAt *time.Time   `json:"acknowledged_at,omitempty"`
	AcknowledgedBy string       `json:"acknowledged_by,omitempty"`
	ResolvedAt     *time.Time   `json:"resolved_at,omitempty"`
	ResolvedBy     string       `json:"resolved_by,omitempty"`
	NextStepAt     *time.Time   `json:"next_step_at,omitempty"` // when Level is paged, unless acknowledged first
	History        []AlertEntry `json:"history,omitempty"`
}

// AlertEntry is one line of an alert's history: raised, paged (per user and channel, with the
// result), escalated, acknowledged, resolved. References only.
type AlertEntry struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Level   int       `json:"level"`
	User    string    `json:"user,omitempty"`
	Channel string    `json:"channel,omitempty"`
	Result  string    `json:"result,omitempty"`
}

// AlertCreate pages on-call about a case by hand.
type AlertCreate struct {
	Case    string `json:"case"`
	Policy  string `json:"policy"`
	Message string `json:"message"`
}

// Validate checks the input.
func (in *AlertCreate) Validate() error {
	in.Case, in.Policy, in.Message = strings.TrimSpace(in.Case), strings.TrimSpace(in.Policy), strings.TrimSpace(in.Message)
	v := Validation{}
	v.Check(in.Case != "", "case", "required: the case's number")
	v.Check(len(in.Message) <= 2000, "message", "at most 2000 bytes")
	return v.Err()
}

// JobAlertStep pages one level of an alert's policy; its payload is {"alert_id","level","round"}
// and its unique key names the three, so each step runs once whatever the number of instances.
const JobAlertStep = "alert.step"

// AlertService raises, escalates, acknowledges and resolves emergency pages.
type AlertService interface {
	Policies(ctx context.Context) ([]*EscalationPolicy, error)
	Policy(ctx context.Context, name string) (*EscalationPolicy, error)
	SavePolicy(ctx context.Context, p EscalationPolicy) (*EscalationPolicy, error)
	CreateAlert(ctx context.Context, in AlertCreate) (*Alert, error)
	Alerts(ctx context.Context, state AlertState) ([]*Alert, error)
	Alert(ctx context.Context, id int64) (*Alert, error)
	// CaseAlert is the case's open alert, else its latest, with its history; nil when none.
	CaseAlert(ctx context.Context, number string) (*Alert, error)
	AcknowledgeAlert(ctx context.Context, id int64) (*Alert, error)
	ResolveAlert(ctx context.Context, id int64) (*Alert, error)
	// ReassignAlert pages a named user about a triggered alert now, on every channel, whatever
	// the policy (someone knows who should take it); the escalation goes on until acknowledged.
	ReassignAlert(ctx context.Context, id int64, username string) (*Alert, error)
	// RunAlertStep is the job: page level, round of the alert unless it was acknowledged, and
	// schedule the next step.
	RunAlertStep(ctx context.Context, alertID int64, level, round int) error
}

// AlertStore keeps policies and alerts.
type AlertStore interface {
	Policies(ctx context.Context) ([]*EscalationPolicy, error)
	PolicyByName(ctx context.Context, name string) (*EscalationPolicy, error)
	SavePolicy(ctx context.Context, p *EscalationPolicy) error
	InsertAlert(ctx context.Context, a *Alert) error
	UpdateAlert(ctx context.Context, a *Alert) error
	AlertByID(ctx context.Context, id int64) (*Alert, error)
	// OpenCaseAlert is the case's unresolved alert, or ENOTFOUND.
	OpenCaseAlert(ctx context.Context, caseID int64) (*Alert, error)
	// LatestCaseAlert is the case's newest alert, or ENOTFOUND.
	LatestCaseAlert(ctx context.Context, caseID int64) (*Alert, error)
	// Alerts lists alerts of cases v may see, newest first ("" state: every state).
	Alerts(ctx context.Context, state AlertState, v Viewer) ([]*Alert, error)
	// ClaimAlertStep moves an alert from step (level, round) to the next; false when that step
	// was taken already (a job run twice), so each step pages once.
	ClaimAlertStep(ctx context.Context, id int64, level, round, nextLevel, nextRound int, nextAt *time.Time) (bool, error)
	AddAlertEntry(ctx context.Context, alertID int64, e AlertEntry) error
	AlertHistory(ctx context.Context, alertID int64) ([]AlertEntry, error)
}
