package haven

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// Platform is a third-party service whose Trust & Safety team the helpline escalates to
// (Meta/Facebook, Instagram, X, hosting abuse desks…). Admins keep the list; escalations name a
// platform by slug. The helpline's own partner contacts are filled in later (issue 12).
type Platform struct {
	Slug      string     `json:"slug"`
	Name      string     `json:"name"`
	Kind      string     `json:"kind"` // social, messaging, email, search, hosting, other
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

// PlatformInput creates a platform.
type PlatformInput struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// PlatformUpdate changes a platform; nil leaves a field as it is.
type PlatformUpdate struct {
	Name    *string `json:"name"`
	Kind    *string `json:"kind"`
	Retired *bool   `json:"retired"`
}

// PlatformKinds lists the kinds of platform.
func PlatformKinds() []string {
	return []string{"social", "messaging", "email", "search", "hosting", "other"}
}

var platformSlugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Validate checks the input.
func (in *PlatformInput) Validate() error {
	in.Slug, in.Name = strings.TrimSpace(in.Slug), strings.TrimSpace(in.Name)
	if in.Kind == "" {
		in.Kind = "other"
	}
	v := Validation{}
	v.Check(platformSlugRE.MatchString(in.Slug), "slug", "lower-case letters, digits and -, at most 63")
	v.Check(in.Name != "" && len(in.Name) <= 200, "name", "required, at most 200 bytes")
	v.Check(validPlatformKind(in.Kind), "kind", strings.Join(PlatformKinds(), ", "))
	return v.Err()
}

func validPlatformKind(k string) bool {
	for _, x := range PlatformKinds() {
		if x == k {
			return true
		}
	}
	return false
}

// PlatformService keeps the list of platforms.
type PlatformService interface {
	Platforms(ctx context.Context, retired bool) ([]*Platform, error)
	Platform(ctx context.Context, slug string) (*Platform, error)
	CreatePlatform(ctx context.Context, in PlatformInput) (*Platform, error)
	UpdatePlatform(ctx context.Context, slug string, up PlatformUpdate) (*Platform, error)
}

// PlatformStore keeps platforms.
type PlatformStore interface {
	Platforms(ctx context.Context) ([]*Platform, error)
	PlatformBySlug(ctx context.Context, slug string) (*Platform, error)
	InsertPlatform(ctx context.Context, p *Platform) error
	UpdatePlatform(ctx context.Context, p *Platform) error
}
