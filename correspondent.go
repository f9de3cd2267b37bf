package haven

import (
	"context"
	"strings"
)

// Correspondent is where a case's replies go: the address recorded for that case's
// correspondence when it was opened (the requester's address, or the sender of the email that
// opened it). A later change of the requester's address is Pending on a restricted case until
// someone on the case confirms it, so that whoever can edit a requester through another case
// cannot redirect a restricted case's replies. Both addresses are personal data.
type Correspondent struct {
	Address string `json:"address"`
	Pending string `json:"pending,omitempty"`
}

// Is reports whether addr is the case's confirmed correspondence address.
func (c *Correspondent) Is(addr string) bool {
	return c != nil && addr != "" && strings.EqualFold(strings.TrimSpace(c.Address), strings.TrimSpace(addr))
}

// AddressOrEmpty is the confirmed address, "" for a nil correspondent.
func (c *Correspondent) AddressOrEmpty() string {
	if c == nil {
		return ""
	}
	return c.Address
}

// CorrespondentStore keeps each case's correspondence address, encrypted.
type CorrespondentStore interface {
	// CaseCorrespondent reads the case's address; ENOTFOUND when none is recorded.
	CaseCorrespondent(ctx context.Context, caseID int64) (*Correspondent, error)
	// SetCaseCorrespondent records (or replaces) the case's address.
	SetCaseCorrespondent(ctx context.Context, caseID int64, c *Correspondent) error
}

// CorrespondentService shows and confirms where a case's replies go.
type CorrespondentService interface {
	// CaseCorrespondent reads where the case's replies go, and a change awaiting confirmation.
	CaseCorrespondent(ctx context.Context, number string) (*Correspondent, error)
	// ConfirmCorrespondent makes the pending address the one replies go to.
	ConfirmCorrespondent(ctx context.Context, number string) (*Correspondent, error)
}
