package haven

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Platform is a third-party service whose Trust & Safety team the helpline escalates to
// (Meta/Facebook, Instagram, X, hosting abuse desks…). Admins keep the list; escalations name a
// platform by slug. The helpline fills in its own partner channels, and the hours it expects an
// answer in per kind of escalation.
type Platform struct {
	Slug      string            `json:"slug"`
	Name      string            `json:"name"`
	Kind      string            `json:"kind"` // social, messaging, email, search, hosting, other
	Channels  []PlatformChannel `json:"channels"`
	Targets   map[string]int    `json:"targets"` // hours to a first answer, per escalation kind or "default"
	RetiredAt *time.Time        `json:"retired_at,omitempty"`
}

// PlatformChannel is one way to reach a platform's Trust & Safety team. Notes may name a partner
// contact: channels are sealed at rest.
type PlatformChannel struct {
	Kind    string `json:"kind"`    // email, web-form, partner-portal, phone
	Address string `json:"address"` // an email address, a URL or a phone number
	Notes   string `json:"notes,omitempty"`
	PGPKey  string `json:"pgp_key,omitempty"` // armored OpenPGP public key: email to it is encrypted
}

// DefaultTargetHours is the response target of a kind a platform names no target for.
const DefaultTargetHours = 72

// TargetHours is how soon the platform is expected to answer an escalation of kind.
func (p *Platform) TargetHours(kind string) int {
	if h, ok := p.Targets[kind]; ok {
		return h
	}
	if h, ok := p.Targets["default"]; ok {
		return h
	}
	return DefaultTargetHours
}

// Channel returns the platform's first channel of kind, or nil.
func (p *Platform) Channel(kind string) *PlatformChannel {
	for i := range p.Channels {
		if p.Channels[i].Kind == kind {
			return &p.Channels[i]
		}
	}
	return nil
}

// PlatformInput creates a platform.
type PlatformInput struct {
	Slug     string            `json:"slug"`
	Name     string            `json:"name"`
	Kind     string            `json:"kind"`
	Channels []PlatformChannel `json:"channels"`
	Targets  map[string]int    `json:"targets"`
}

// PlatformUpdate changes a platform; nil leaves a field as it is.
type PlatformUpdate struct {
	Name     *string            `json:"name"`
	Kind     *string            `json:"kind"`
	Channels *[]PlatformChannel `json:"channels"`
	Targets  *map[string]int    `json:"targets"`
	Retired  *bool              `json:"retired"`
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
	v.Check(len(in.Channels) <= 20, "channels", "at most 20")
	for i := range in.Channels {
		validateChannel(v, &in.Channels[i])
	}
	for kind, hours := range in.Targets {
		v.Check(kind == "default" || slices.Contains(EscalationKinds(), kind), "targets", "keys are escalation kinds or default")
		v.Check(hours > 0 && hours <= 24*366, "targets", "hours between 1 and 8784")
	}
	if in.Channels == nil {
		in.Channels = []PlatformChannel{}
	}
	if in.Targets == nil {
		in.Targets = map[string]int{}
	}
	return v.Err()
}

// validateChannel checks one channel: an email address for email, an https URL for forms and
// portals, and a key that at least looks like an armored public key.
func validateChannel(v Validation, c *PlatformChannel) {
	c.Address, c.Notes, c.PGPKey = strings.TrimSpace(c.Address), strings.TrimSpace(c.Notes), strings.TrimSpace(c.PGPKey)
	v.Check(slices.Contains(ChannelKinds(), c.Kind), "channels", "kind is one of "+strings.Join(ChannelKinds(), ", "))
	v.Check(c.Address != "" && len(c.Address) <= 500, "channels", "each channel needs an address (at most 500 bytes)")
	v.Check(len(c.Notes) <= 4000, "channels", "notes at most 4000 bytes")
	switch c.Kind {
	case "email":
		v.Check(validEmail(c.Address), "channels", "an email channel needs an email address")
	case "web-form", "partner-portal":
		u, err := url.Parse(c.Address)
		v.Check(err == nil && u.Scheme == "https" && u.Host != "", "channels", "a form or portal needs an https:// address")
	}
	v.Check(c.PGPKey == "" || (c.Kind == "email" && strings.Contains(c.PGPKey, "BEGIN PGP PUBLIC KEY BLOCK")),
		"channels", "an OpenPGP key is an armored public key on an email channel")
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
