package playbook

import (
	"github.com/haven-helpline/haven"
)

// Limits of a playbook file. They are generous for real procedures and small enough that a
// hostile file cannot make a parse expensive.
const (
	MaxSize           = 1 << 20 // bytes in a file, checked before any parsing
	MaxNodes          = 50000   // YAML nodes in a file
	MaxDepth          = 32      // nesting of mappings and lists
	MaxSteps          = 200     // steps in a playbook
	MaxAnswers        = 20      // answers of a decision
	MaxAnswerSteps    = 50      // steps one answer creates
	MaxTextBytes      = 300     // a title, a step's text or question, an answer's text, per language
	MaxGuidanceBytes  = 4000    // a step's guidance, per language
	MaxSourceBytes    = 2000    // one entry of sources
	MaxProblems       = 20      // problems reported by one error; more are counted, not listed
	minDecisionAnswer = 2       // a question with one answer is not a decision
)

// Playbook is a named procedure for a type of incident. Applying it to a case creates a task for
// each step named in Start; choosing an answer of a decision step creates that answer's steps.
type Playbook struct {
	Name       string            // slug, the playbook's identity
	Title      map[string]string // language tag → title
	Languages  []string          // every text has each of these languages
	Categories []string          // category slugs the playbook is meant for
	Sources    []string          // citations (URLs or references)
	Start      []string          // ids of the steps created when the playbook is applied, in order
	Auto       bool              // applied automatically to new cases of Categories
	Steps      []Step
}

// Step is one task of a playbook, or a decision when it has a Question instead of a Text.
type Step struct {
	ID       string
	Text     map[string]string // the task's title, per language (tasks)
	Guidance map[string]string // optional longer explanation, per language
	Question map[string]string // the question asked, per language (decisions)
	Template string            // optional reply template suggested on the task
	Article  string            // optional knowledge-base article
	Required bool              // the case cannot close while this task is open
	Answers  []Answer          // the choices of a decision
	Line     int               // where the step starts in the file it was parsed from; 0 otherwise
}

// Answer is one choice of a decision step.
type Answer struct {
	ID    string
	Text  map[string]string
	Steps []string // ids of the steps created when this answer is chosen
	Line  int      // where the answer starts in the file it was parsed from; 0 otherwise
}

// Step returns the step with the given id, or nil.
func (p *Playbook) Step(id string) *Step {
	for i := range p.Steps {
		if p.Steps[i].ID == id {
			return &p.Steps[i]
		}
	}
	return nil
}

// IsDecision reports whether the step asks a question rather than naming a task.
func (s *Step) IsDecision() bool { return len(s.Question) > 0 }

// Answer returns the answer answerID of the decision stepID. An answer is accepted only from
// the step it belongs to, so a client cannot create another decision's steps.
func (p *Playbook) Answer(stepID, answerID string) (*Answer, error) {
	s := p.Step(stepID)
	if s == nil {
		return nil, fieldError("step", "the playbook %q has no step %q", p.Name, stepID)
	}
	if !s.IsDecision() {
		return nil, fieldError("step", "step %q is not a decision", stepID)
	}
	for i := range s.Answers {
		if s.Answers[i].ID == answerID {
			return &s.Answers[i], nil
		}
	}
	return nil, fieldError("answer", "step %q has no answer %q", stepID, answerID)
}

// Reachable returns the ids of the steps that applying the playbook can create: the start steps,
// then, breadth first, the steps of each answer of each decision reached, each id once. The
// order depends only on the playbook, so it can be shown and tested.
func (p *Playbook) Reachable() []string {
	var order []string
	for _, i := range reach(p, stepIndex(p)) {
		order = append(order, p.Steps[i].ID)
	}
	return order
}

func fieldError(field, format string, args ...any) error {
	e := haven.Errorf(haven.EINVALID, format, args...)
	e.Fields = map[string]string{field: e.Message}
	return e
}
