package haven

import (
	"context"
	"strings"
	"time"
)

// Note is internal to the helpline and never sent to anyone.
type Note struct {
	ID         int64     `json:"id"`
	CaseID     int64     `json:"case_id"`
	AuthorID   int64     `json:"-"`
	Author     string    `json:"author"`
	Body       string    `json:"body"`
	Visibility string    `json:"visibility"` // team (everyone who may see the case) or leads
	CreatedAt  time.Time `json:"created_at"`
}

// NoteCreate adds a note.
type NoteCreate struct {
	Body       string `json:"body"`
	Visibility string `json:"visibility"`
}

// Validate checks and defaults the input.
func (n *NoteCreate) Validate() error {
	v := Validation{}
	n.Body = strings.TrimSpace(n.Body)
	if n.Visibility == "" {
		n.Visibility = "team"
	}
	v.Check(n.Body != "", "body", "a note needs a body")
	v.Check(len(n.Body) <= MaxBody, "body", "too long")
	v.Check(n.Visibility == "team" || n.Visibility == "leads", "visibility", "must be team or leads")
	return v.Err()
}

// NoteService manages internal notes.
type NoteService interface {
	AddNote(ctx context.Context, number string, in NoteCreate) (*Note, error)
	Notes(ctx context.Context, number string) ([]*Note, error)
}

// NoteStore is what the service layer needs from storage for notes.
type NoteStore interface {
	InsertNote(ctx context.Context, n *Note) error
	CaseNotes(ctx context.Context, caseID int64) ([]*Note, error)
}
