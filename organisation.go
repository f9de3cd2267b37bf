package haven

import (
	"context"
	"strings"
)

// Organisation is a group a requester belongs to (a newsroom, an NGO, a collective).
type Organisation struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country"`
	Kind    string `json:"kind"` // media, ngo, collective, academic, other
}

// Validate checks an organisation.
func (o *Organisation) Validate() error {
	v := Validation{}
	o.Name = strings.TrimSpace(o.Name)
	o.Country = strings.ToUpper(strings.TrimSpace(o.Country))
	v.Check(o.Name != "" && len(o.Name) <= 200, "name", "required, at most 200 bytes")
	v.Check(validCountry(o.Country), "country", "must be a two-letter ISO country code")
	return v.Err()
}

// OrganisationStore is what the service layer needs from storage for organisations.
type OrganisationStore interface {
	InsertOrganisation(ctx context.Context, o *Organisation) error
	Organisations(ctx context.Context) ([]*Organisation, error)
}
