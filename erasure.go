package haven

import (
	"context"
	"time"
)

// RequesterExport is everything Haven holds on one person, for a data-subject access request:
// their record (and the records merged into it), every case linked to them with its
// correspondence, and the audit events about their record. Personal fields are decrypted.
type RequesterExport struct {
	ExportedAt   time.Time     `json:"exported_at"`
	Requester    *Requester    `json:"requester"`
	Merged       []*Requester  `json:"merged_requesters"` // records merged into this one
	Organisation *Organisation `json:"organisation,omitempty"`
	Cases        []*CaseExport `json:"cases"`
	Events       []*Event      `json:"events"` // about the requester (and the merged records)
	// ErasedAt is when the requester was last erased, if ever (from the audit trail).
	ErasedAt *time.Time `json:"erased_at,omitempty"`
}

// CaseExport is one case of an export with everything on it.
type CaseExport struct {
	Case        *Case           `json:"case"`
	Messages    []*Message      `json:"messages"`
	Notes       []*Note         `json:"notes"`
	Reports     []*ReportExport `json:"reports"`
	Tasks       []*Task         `json:"tasks"`
	Attachments []*Attachment   `json:"attachments"`
	Events      []*Event        `json:"events"`
	// Escalations are what was sent to platforms about the case.
	Escalations []*Escalation `json:"escalations"`
	// Observables are the values (URLs, addresses, hashes…) seen in the case.
	Observables []*CaseObservable `json:"observables"`
}

// ReportExport is a report with its raw source: as text when it is valid UTF-8, else base64.
type ReportExport struct {
	*Report
	Raw         string `json:"raw"`
	RawEncoding string `json:"raw_encoding"` // text or base64
}

// Erasure counts what erasing a requester destroyed (or, previewed, would destroy). The cases
// themselves stay, for statistics, with nothing personal left on them.
type Erasure struct {
	RequesterID int64    `json:"requester_id"`
	Requesters  int      `json:"requesters"` // the record and those merged into it, with something left to erase
	Contacts    int      `json:"contacts"`
	Cases       []string `json:"cases"` // numbers of the cases kept
	Notes       int      `json:"notes"`
	Messages    int      `json:"messages"`
	Reports     int      `json:"reports"`
	Attachments int      `json:"attachments"`
	SearchParts int      `json:"search_parts"`
	// EventDetails are the free texts of the case's events (reasons, titles); Correspondents the
	// addresses its replies went to.
	EventDetails   int `json:"event_details"`
	Correspondents int `json:"correspondents"`
	// Notifications are the texts of notifications about the case; AccessReasons the reasons
	// given for break-glass openings of it.
	Notifications int `json:"notifications"`
	AccessReasons int `json:"access_reasons"`
	// Escalations are the texts sent to platforms about the case (and their reply tags).
	Escalations int `json:"escalations"`
	// Sightings are the values (URLs, addresses, hashes…) seen in the case; observables no other
	// case and no partner's feed knows go with them.
	Sightings int `json:"sightings"`
}

// Add adds the counts of o to e.
func (e *Erasure) Add(o Erasure) {
	e.Requesters += o.Requesters
	e.Contacts += o.Contacts
	e.Notes += o.Notes
	e.Messages += o.Messages
	e.Reports += o.Reports
	e.Attachments += o.Attachments
	e.SearchParts += o.SearchParts
	e.EventDetails += o.EventDetails
	e.Correspondents += o.Correspondents
	e.Notifications += o.Notifications
	e.AccessReasons += o.AccessReasons
	e.Escalations += o.Escalations
	e.Sightings += o.Sightings
}

// Nothing reports whether nothing was (or would be) erased.
func (e *Erasure) Nothing() bool {
	return e.Requesters+e.Contacts+e.Notes+e.Messages+e.Reports+e.Attachments+e.SearchParts+e.EventDetails+e.Correspondents+e.Notifications+e.AccessReasons+e.Escalations+e.Sightings == 0
}

// Counts is e without identifiers, for the audit trail.
func (e *Erasure) Counts() map[string]any {
	return map[string]any{"requesters": e.Requesters, "contacts": e.Contacts, "cases": len(e.Cases),
		"notes": e.Notes, "messages": e.Messages, "reports": e.Reports, "attachments": e.Attachments,
		"search_parts": e.SearchParts, "event_details": e.EventDetails, "correspondents": e.Correspondents,
		"notifications": e.Notifications, "access_reasons": e.AccessReasons, "escalations": e.Escalations,
		"sightings": e.Sightings}
}

// ErasureService answers data-subject requests (leads and admins).
type ErasureService interface {
	ExportRequester(ctx context.Context, id int64) (*RequesterExport, error)
	// PreviewErasure says what EraseRequester would destroy, changing nothing.
	PreviewErasure(ctx context.Context, id int64) (*Erasure, error)
	// EraseRequester crypto-shreds a person's data: their record, contacts, and the notes,
	// messages and reports of their cases. The cases stay, for statistics.
	EraseRequester(ctx context.Context, id int64) (*Erasure, error)
}

// ErasureStore is what the service layer needs from storage for data-subject requests.
type ErasureStore interface {
	// RequesterCaseIDs lists the cases linked to a requester, oldest first.
	RequesterCaseIDs(ctx context.Context, requesterID int64) ([]int64, error)
	// MergedRequesterIDs lists the requesters merged into requesterID, directly or through others.
	MergedRequesterIDs(ctx context.Context, requesterID int64) ([]int64, error)
	// RequesterEvents lists the events about a requester's record, oldest first.
	RequesterEvents(ctx context.Context, requesterID int64) ([]*Event, error)
	// EraseRequester destroys the requester's data key, blanks its personal columns and
	// organisation, and deletes its contacts. Only what was left to erase is counted.
	EraseRequester(ctx context.Context, requesterID int64, at time.Time) (Erasure, error)
	// EraseCaseCorrespondence destroys the data keys of the case's notes, messages and reports,
	// blanks them (with their Message-IDs and attachment file names) and deletes the search parts
	// of the notes and messages. The caller re-indexes the case (IndexCase).
	EraseCaseCorrespondence(ctx context.Context, caseID int64) (Erasure, error)
}
