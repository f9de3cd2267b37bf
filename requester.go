package haven

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// VettingStatus says how far a requester's identity and situation have been checked.
type VettingStatus string

// VettingStatuses lists the vetting states.
func VettingStatuses() []VettingStatus {
	return []VettingStatus{"unvetted", "in-progress", "vetted", "rejected"}
}

// Valid reports whether s is a known vetting status.
func (s VettingStatus) Valid() bool { return slices.Contains(VettingStatuses(), s) }

// Contact is one way to reach a requester.
type Contact struct {
	Kind  string `json:"kind"` // email, signal, phone, telegram, other
	Value string `json:"value"`
}

// ContactKinds lists the recognised contact kinds.
func ContactKinds() []string {
	return []string{"email", "signal", "phone", "telegram", "whatsapp", "other"}
}

// NormalizedValue is the form used to look a contact up: lower-case address, digits-only phone.
func (c Contact) NormalizedValue() string {
	v := strings.TrimSpace(c.Value)
	switch c.Kind {
	case "email":
		return strings.ToLower(v)
	case "phone", "signal", "whatsapp":
		var b strings.Builder
		for _, r := range v {
			if (r >= '0' && r <= '9') || (r == '+' && b.Len() == 0) {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	return strings.ToLower(v)
}

// Requester is a person asking for help. Everything here is personal data.
type Requester struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Pseudonym string    `json:"pseudonym"`
	Contacts  []Contact `json:"contacts"`
	PGPKey    string    `json:"pgp_key,omitempty"`
	// EncryptedOnly: email to this person must be encrypted to their PGP key, never plaintext.
	EncryptedOnly  bool          `json:"encrypted_only"`
	Languages      []string      `json:"languages"`
	OrganisationID int64         `json:"organisation_id,omitempty"`
	Vetting        VettingStatus `json:"vetting"`
	VouchedBy      string        `json:"vouched_by"`
	RiskNotes      string        `json:"risk_notes"`
	MergedInto     int64         `json:"merged_into,omitempty"`
	ErasedAt       *time.Time    `json:"erased_at,omitempty"` // personal data crypto-shredded
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// DisplayName is the pseudonym when there is one: handlers see pseudonyms in lists.
func (r *Requester) DisplayName() string {
	if r.Pseudonym != "" {
		return r.Pseudonym
	}
	return r.Name
}

// Email returns the requester's first email address, or "".
func (r *Requester) Email() string {
	for _, c := range r.Contacts {
		if c.Kind == "email" {
			return c.Value
		}
	}
	return ""
}

// RequesterInput creates or updates a requester.
type RequesterInput struct {
	Name           string        `json:"name"`
	Pseudonym      string        `json:"pseudonym"`
	Email          string        `json:"email"`
	Contacts       []Contact     `json:"contacts"`
	Languages      []string      `json:"languages"`
	OrganisationID int64         `json:"organisation_id"`
	Vetting        VettingStatus `json:"vetting"`
	VouchedBy      string        `json:"vouched_by"`
	RiskNotes      string        `json:"risk_notes"`
	PGPKey         string        `json:"pgp_key"`
}

// AllContacts returns Contacts plus Email as a contact, normalised and de-duplicated.
func (in *RequesterInput) AllContacts() []Contact {
	all := slices.Clone(in.Contacts)
	if e := strings.TrimSpace(in.Email); e != "" {
		all = append([]Contact{{Kind: "email", Value: e}}, all...)
	}
	var out []Contact
	seen := map[string]bool{}
	for _, c := range all {
		c.Kind = strings.ToLower(strings.TrimSpace(c.Kind))
		c.Value = strings.TrimSpace(c.Value)
		key := c.Kind + ":" + c.NormalizedValue()
		if c.Value != "" && !seen[key] {
			seen[key] = true
			out = append(out, c)
		}
	}
	return out
}

// Validate checks the input.
func (in *RequesterInput) Validate() error {
	v := Validation{}
	in.validate(v, "")
	return v.Err()
}

func (in *RequesterInput) validate(v Validation, prefix string) {
	v.Check(strings.TrimSpace(in.Name) != "" || strings.TrimSpace(in.Pseudonym) != "" || len(in.AllContacts()) > 0,
		prefix+"name", "a name, pseudonym or contact is required")
	v.Check(len(in.Name) <= 200, prefix+"name", "at most 200 bytes")
	v.Check(len(in.Pseudonym) <= 200, prefix+"pseudonym", "at most 200 bytes")
	v.Check(len(in.RiskNotes) <= MaxSummary, prefix+"risk_notes", "too long")
	v.Check(in.Vetting == "" || in.Vetting.Valid(), prefix+"vetting", "must be one of unvetted, in-progress, vetted, rejected")
	for i, c := range in.AllContacts() {
		field := fmt.Sprintf("%scontacts[%d]", prefix, i)
		if c.Kind == "email" && in.Email != "" && strings.EqualFold(c.Value, strings.TrimSpace(in.Email)) {
			field = prefix + "email"
		}
		v.Check(slices.Contains(ContactKinds(), c.Kind), field, "unknown contact kind "+c.Kind)
		v.Check(len(c.Value) <= 320, field, "at most 320 bytes")
		if c.Kind == "email" {
			v.Check(validEmail(c.Value), field, "not a valid email address")
		}
	}
	for _, l := range in.Languages {
		v.Check(validLanguage(l), prefix+"languages", "must be language tags such as en, fr, ar")
	}
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s, "@")
}

// RequesterSummary is a requester as a case page shows them.
type RequesterSummary struct {
	ID            int64         `json:"id"`
	DisplayName   string        `json:"display_name"`
	Vetting       VettingStatus `json:"vetting"`
	Languages     []string      `json:"languages"`
	EncryptedOnly bool          `json:"encrypted_only"`
	HasPGPKey     bool          `json:"has_pgp_key"`
}

// RequesterUpdate changes some fields; nil leaves a field as it is.
type RequesterUpdate struct {
	Name      *string        `json:"name"`
	Pseudonym *string        `json:"pseudonym"`
	Contacts  *[]Contact     `json:"contacts"`
	Languages *[]string      `json:"languages"`
	Vetting   *VettingStatus `json:"vetting"`
	VouchedBy *string        `json:"vouched_by"`
	RiskNotes *string        `json:"risk_notes"`
	PGPKey    *string        `json:"pgp_key"`
	// EncryptedOnly set true needs a PGP key on the record.
	EncryptedOnly *bool `json:"encrypted_only"`
}

// RequesterFilter selects requesters.
type RequesterFilter struct {
	Contact string // exact contact value (normalised)
	Name    string // substring of name or pseudonym
	Cursor  string
	Limit   int

	// Set by the service: a requester all of whose cases the viewer may not see is hidden too.
	Viewer Viewer `json:"-"`
}

// RequesterPage is one page of requesters.
type RequesterPage struct {
	Items []*Requester `json:"items"`
	Next  string       `json:"next"`
}

// RequesterService manages the people asking for help.
type RequesterService interface {
	CreateRequester(ctx context.Context, in RequesterInput) (*Requester, error)
	Requester(ctx context.Context, id int64) (*Requester, error)
	// RequesterSummary is what case pages show of a requester: pseudonym (the name when there is
	// none), vetting and languages, as case lists do. Unlike Requester it reads no personal detail,
	// so it is not an audited read.
	RequesterSummary(ctx context.Context, id int64) (*RequesterSummary, error)
	Requesters(ctx context.Context, f RequesterFilter) (*RequesterPage, error)
	UpdateRequester(ctx context.Context, id int64, u RequesterUpdate) (*Requester, error)
	// MergeRequesters moves everything of requester from onto into, then retires from.
	MergeRequesters(ctx context.Context, into, from int64) (*Requester, error)
}

// RequesterStore is what the service layer needs from storage for requesters.
type RequesterStore interface {
	InsertRequester(ctx context.Context, r *Requester) error
	RequesterByID(ctx context.Context, id int64) (*Requester, error)
	// RequestersByContact lists the live requesters holding this contact that v may see, oldest
	// first. A contact may be held by several people's records: one that v may not see is
	// never named by it.
	RequestersByContact(ctx context.Context, c Contact, v Viewer) ([]*Requester, error)
	UpdateRequester(ctx context.Context, r *Requester) error
	// ContactPGPKeys lists the PGP keys of every live record holding the contact (to verify a
	// signature; no record is named).
	ContactPGPKeys(ctx context.Context, c Contact) ([]string, error)
	FindRequesters(ctx context.Context, f RequesterFilter) (*RequesterPage, error)
	// RequesterVisible reports whether v may see the requester: they have no case, or at least
	// one case v may see.
	RequesterVisible(ctx context.Context, id int64, v Viewer) (bool, error)
	// MoveRequesterCases re-links every case of from to into and returns their ids.
	MoveRequesterCases(ctx context.Context, from, into int64) ([]int64, error)
}
