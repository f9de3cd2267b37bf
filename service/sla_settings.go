package service

import (
	"context"
	"encoding/json"
	"time"

	"github.com/haven-helpline/haven"
)

// slaSettingName is where the admins' targets are kept (settings table).
const slaSettingName = "sla"

// slaPolicy is the targets and warning share in force, for one transaction.
type slaPolicy struct {
	targets map[haven.Priority]SLATarget
	warnAt  float64
}

// slaPolicy reads the admins' targets, else the server's configuration.
func (s *Service) slaPolicy(ctx context.Context, tx haven.Tx) (*slaPolicy, error) {
	p := &slaPolicy{targets: s.cfg.SLA, warnAt: s.cfg.SLAWarnAt}
	raw, err := tx.Setting(ctx, slaSettingName)
	if err != nil || raw == "" {
		return p, err
	}
	var set haven.SLASettings
	if err := json.Unmarshal([]byte(raw), &set); err != nil || set.Validate() != nil {
		return p, nil // a damaged setting falls back to the configuration rather than stopping every clock
	}
	p.targets, p.warnAt = map[haven.Priority]SLATarget{}, set.WarnAt
	for pr, t := range set.Targets {
		p.targets[pr] = SLATarget{FirstResponse: time.Duration(t.FirstResponse) * time.Minute,
			NextUpdate: time.Duration(t.NextUpdate) * time.Minute, Resolution: time.Duration(t.Resolution) * time.Minute}
	}
	return p, nil
}

// settings writes the policy in the API's shape.
func (p *slaPolicy) settings() *haven.SLASettings {
	out := &haven.SLASettings{Targets: map[haven.Priority]haven.SLATargetMinutes{}, WarnAt: p.warnAt}
	for pr, t := range p.targets {
		out.Targets[pr] = haven.SLATargetMinutes{FirstResponse: int(t.FirstResponse / time.Minute),
			NextUpdate: int(t.NextUpdate / time.Minute), Resolution: int(t.Resolution / time.Minute)}
	}
	return out
}

// SLASettings are the targets in force (every signed-in user).
func (s *Service) SLASettings(ctx context.Context) (*haven.SLASettings, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out *haven.SLASettings
	err := s.store.View(ctx, func(tx haven.Tx) error {
		p, err := s.slaPolicy(ctx, tx)
		if err == nil {
			out = p.settings()
		}
		return err
	})
	return out, err
}

// SetSLASettings changes the targets (admins). Running clocks use them from their next look.
func (s *Service) SetSLASettings(ctx context.Context, set haven.SLASettings) (*haven.SLASettings, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	if err := set.Validate(); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(set)
	now := s.clock.Now()
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.PutSetting(ctx, slaSettingName, string(raw), now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "settings.sla", "settings", slaSettingName, 0, map[string]any{"warn_at": set.WarnAt})
	})
	return &set, err
}
