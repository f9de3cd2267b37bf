package haven

import (
	"context"
	"time"
)

// Kinds of link between two cases.
const (
	// LinkRelated links two cases about connected incidents; both show it.
	LinkRelated = "related"
	// LinkDuplicate marks a case as a duplicate of another, which took over its correspondence.
	LinkDuplicate = "duplicate"
)

// LinkedCase is a case shown on another because they are linked. Only cases the reader may see
// are ever listed: a hidden linked case is neither named nor counted.
type LinkedCase struct {
	Number string `json:"number"`
	Title  string `json:"title"`
	Status Status `json:"status"`
	// Restricted marks a need-to-know case: showing it is a read, and is audited.
	Restricted bool `json:"restricted"`
	// Kind is LinkRelated, or LinkDuplicate when the linked case is a duplicate merged into this one.
	Kind string `json:"kind"`
}

// CaseLinkRow is one stored link seen from one case: the other case's id, and the kind (for a
// duplicate link, Survivor tells whether the other case is the one this case was merged into).
type CaseLinkRow struct {
	OtherID  int64
	Kind     string
	Survivor bool
}

// CaseMove counts what marking a case as a duplicate moved to the surviving case.
type CaseMove struct {
	Messages    int `json:"messages"`
	Reports     int `json:"reports"`
	Notes       int `json:"notes"`
	Attachments int `json:"attachments"`
	Sightings   int `json:"sightings"`
}

// CaseLinkService links related cases and merges duplicates. The acting user must be able to see
// and change both cases; a case they may not see answers like a missing one.
type CaseLinkService interface {
	// LinkCases links two related cases; each then lists the other.
	LinkCases(ctx context.Context, number, other string) (*Case, error)
	// UnlinkCases removes a related link.
	UnlinkCases(ctx context.Context, number, other string) (*Case, error)
	// MarkDuplicate moves the case's correspondence, reports, notes, attachments and observable
	// sightings to the case named of, and closes it with the outcome "duplicate". Both numbers
	// keep resolving; the duplicate names its survivor (Case.DuplicateOf).
	MarkDuplicate(ctx context.Context, number, of string) (*Case, error)
}

// CaseLinkStore is what the service layer needs from storage for links between cases.
type CaseLinkStore interface {
	// InsertCaseLink stores a link (ECONFLICT when it exists). A related link is stored once for
	// the pair, in either order; a duplicate link goes from the duplicate to its survivor.
	InsertCaseLink(ctx context.Context, caseID, otherID int64, kind string, by int64, at time.Time) error
	// DeleteCaseLink removes the related link between two cases (ENOTFOUND when none).
	DeleteCaseLink(ctx context.Context, caseID, otherID int64) error
	// CaseLinks lists the links of a case in both directions, oldest first.
	CaseLinks(ctx context.Context, caseID int64) ([]CaseLinkRow, error)
	// MoveCaseContent moves a duplicate's messages (but those of its escalations, which stay with
	// them), reports, notes, attachments, observable sightings and search parts to the survivor.
	MoveCaseContent(ctx context.Context, fromID, toID int64) (CaseMove, error)
}
