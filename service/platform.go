package service

import (
	"context"

	"github.com/haven-helpline/haven"
)

var _ haven.PlatformService = (*Service)(nil)

// Platforms lists the platforms (every signed-in user); retired ones only when asked.
func (s *Service) Platforms(ctx context.Context, retired bool) ([]*haven.Platform, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out []*haven.Platform
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.Platforms(ctx)
		return err
	})
	kept := out[:0]
	for _, p := range out {
		if retired || p.RetiredAt == nil {
			kept = append(kept, p)
		}
	}
	return kept, err
}

// Platform reads one platform, retired or not (every signed-in user).
func (s *Service) Platform(ctx context.Context, slug string) (*haven.Platform, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var p *haven.Platform
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		p, err = tx.PlatformBySlug(ctx, slug)
		return err
	})
	return p, err
}

// CreatePlatform adds a platform (admins).
func (s *Service) CreatePlatform(ctx context.Context, in haven.PlatformInput) (*haven.Platform, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	p := &haven.Platform{Slug: in.Slug, Name: in.Name, Kind: in.Kind, Channels: in.Channels, Targets: in.Targets}
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.InsertPlatform(ctx, p); err != nil {
			return err
		}
		return record(ctx, tx, s.clock.Now(), u, "platform.created", "platform", p.Slug, 0, nil)
	})
	return p, err
}

// platformInput is p with up's changes, to validate.
func platformInput(p *haven.Platform, up haven.PlatformUpdate) haven.PlatformInput {
	in := haven.PlatformInput{Slug: p.Slug, Name: p.Name, Kind: p.Kind, Channels: p.Channels, Targets: p.Targets}
	if up.Name != nil {
		in.Name = *up.Name
	}
	if up.Kind != nil {
		in.Kind = *up.Kind
	}
	if up.Channels != nil {
		in.Channels = *up.Channels
	}
	if up.Targets != nil {
		in.Targets = *up.Targets
	}
	return in
}

// UpdatePlatform renames, re-kinds or retires a platform, or sets its channels and targets (admins).
func (s *Service) UpdatePlatform(ctx context.Context, slug string, up haven.PlatformUpdate) (*haven.Platform, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var p *haven.Platform
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if p, err = tx.PlatformBySlug(ctx, slug); err != nil {
			return err
		}
		in := platformInput(p, up)
		if err := in.Validate(); err != nil {
			return err
		}
		p.Name, p.Kind, p.Channels, p.Targets = in.Name, in.Kind, in.Channels, in.Targets
		if up.Retired != nil {
			p.RetiredAt = nil
			if *up.Retired {
				p.RetiredAt = &now
			}
		}
		if err := tx.UpdatePlatform(ctx, p); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "platform.updated", "platform", p.Slug, 0,
			map[string]any{"channels": up.Channels != nil, "targets": up.Targets != nil})
	})
	return p, err
}
