package haven

import (
	"context"
	"time"
)

// Compartment groups restricted cases (child-safety, threat-to-life, staff…); only its members,
// and those granted access, see its cases.
type Compartment struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// AccessGrant gives one user access to one restricted case: named (permanent), a lead's
// time-boxed grant, or a break-glass opening with its reason.
type AccessGrant struct {
	CaseID    int64      `json:"-"`
	Username  string     `json:"username"`
	Kind      string     `json:"kind"` // named, grant, break-glass
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	GrantedBy string     `json:"granted_by,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// BreakGlassDuration is how long a break-glass opening lasts.
const BreakGlassDuration = 4 * time.Hour

// CompartmentService manages compartments (admins) and access to restricted cases.
type CompartmentService interface {
	Compartments(ctx context.Context) ([]*Compartment, error)
	CreateCompartment(ctx context.Context, name string) (*Compartment, error)
	AddCompartmentMember(ctx context.Context, compartment, username string) (*Compartment, error)
	RemoveCompartmentMember(ctx context.Context, compartment, username string) (*Compartment, error)
	// GrantAccess lets a lead give username access to a restricted case they can see, for a while.
	GrantAccess(ctx context.Context, number, username string, d time.Duration) (*AccessGrant, error)
	// BreakGlass opens a restricted case to a lead or admin who is not entitled to it, with a reason.
	BreakGlass(ctx context.Context, number, reason string) (*Case, error)
}

// CompartmentStore is what the service layer needs from storage for need-to-know.
type CompartmentStore interface {
	InsertCompartment(ctx context.Context, name string) error
	Compartments(ctx context.Context) ([]*Compartment, error)
	CompartmentByName(ctx context.Context, name string) (*Compartment, error)
	AddCompartmentMember(ctx context.Context, compartment string, userID int64) error
	RemoveCompartmentMember(ctx context.Context, compartment string, userID int64) error
	// CompartmentHasCases reports whether any case is in the compartment.
	CompartmentHasCases(ctx context.Context, compartment string) (bool, error)
	InsertAccessGrant(ctx context.Context, g *AccessGrant, userID, grantedBy int64) error
}
