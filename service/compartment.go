package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"haven"
)

var _ haven.CompartmentService = (*Service)(nil)

// MaxGrant is the longest access a lead can grant to a restricted case at once.
const MaxGrant = 30 * 24 * time.Hour

// Compartments lists compartments and their members (admins and leads).
func (s *Service) Compartments(ctx context.Context) ([]*haven.Compartment, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != haven.RoleAdmin && u.Role != haven.RoleLead {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only leads and admins can list compartments")
	}
	return s.compartmentsUnchecked(ctx)
}

func (s *Service) compartmentsUnchecked(ctx context.Context) ([]*haven.Compartment, error) {
	var out []*haven.Compartment
	err := s.store.View(ctx, func(tx haven.Tx) error {
		var err error
		out, err = tx.Compartments(ctx)
		return err
	})
	return out, err
}

// CreateCompartment adds a compartment (admins).
func (s *Service) CreateCompartment(ctx context.Context, name string) (*haven.Compartment, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	return s.createCompartment(ctx, u, name)
}

func (s *Service) createCompartment(ctx context.Context, actor *haven.User, name string) (*haven.Compartment, error) {
	name = strings.TrimSpace(name)
	if !haven.ValidTeamName(name) {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "bad compartment name", Fields: map[string]string{"name": "lower-case letters, digits, . _ - (at most 63)"}}
	}
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.InsertCompartment(ctx, name); err != nil {
			return err
		}
		return record(ctx, tx, s.clock.Now(), actor, "compartment.created", "compartment", name, 0, nil)
	})
	if err != nil {
		return nil, err
	}
	return &haven.Compartment{Name: name, Members: []string{}}, nil
}

// AddCompartmentMember gives a user the need to know for a compartment (admins).
func (s *Service) AddCompartmentMember(ctx context.Context, compartment, username string) (*haven.Compartment, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	return s.changeCompartment(ctx, u, compartment, username, true)
}

// RemoveCompartmentMember takes it away (admins).
func (s *Service) RemoveCompartmentMember(ctx context.Context, compartment, username string) (*haven.Compartment, error) {
	u, err := admin(ctx)
	if err != nil {
		return nil, err
	}
	return s.changeCompartment(ctx, u, compartment, username, false)
}

// AddCompartmentMemberAsSystem is `haven compartment add-member` at the console; it creates the
// compartment when it does not exist yet.
func (s *Service) AddCompartmentMemberAsSystem(ctx context.Context, compartment, username string) (*haven.Compartment, error) {
	if _, err := s.createCompartment(ctx, nil, compartment); err != nil && haven.ErrorCode(err) != haven.ECONFLICT {
		return nil, err
	}
	return s.changeCompartment(ctx, nil, compartment, username, true)
}

// CompartmentsAsSystem lists compartments for the console.
func (s *Service) CompartmentsAsSystem(ctx context.Context) ([]*haven.Compartment, error) {
	return s.compartmentsUnchecked(ctx)
}

func (s *Service) changeCompartment(ctx context.Context, actor *haven.User, compartment, username string, add bool) (*haven.Compartment, error) {
	var out *haven.Compartment
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		if _, err := tx.CompartmentByName(ctx, compartment); err != nil {
			return err
		}
		member, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		action := "compartment.member_added"
		if add {
			err = tx.AddCompartmentMember(ctx, compartment, member.ID)
		} else {
			action, err = "compartment.member_removed", tx.RemoveCompartmentMember(ctx, compartment, member.ID)
		}
		if err != nil {
			return err
		}
		if out, err = tx.CompartmentByName(ctx, compartment); err != nil {
			return err
		}
		return record(ctx, tx, s.clock.Now(), actor, action, "compartment", compartment, 0, map[string]any{"user": username})
	})
	return out, err
}

// GrantAccess lets a lead (or admin) who can see a restricted case open it to someone for a while.
func (s *Service) GrantAccess(ctx context.Context, number, username string, d time.Duration) (*haven.AccessGrant, error) {
	if d <= 0 || d > MaxGrant {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "bad duration", Fields: map[string]string{"hours": "between 1 hour and 30 days"}}
	}
	return changeCase(ctx, s, number, func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (*haven.AccessGrant, error) {
		if u.Role != haven.RoleLead && u.Role != haven.RoleAdmin {
			return nil, haven.Errorf(haven.EFORBIDDEN, "only leads and admins can grant access")
		}
		grantee, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return nil, &haven.Error{Code: haven.EINVALID, Message: "no such user", Fields: map[string]string{"username": "no user " + username}}
		}
		until := now.Add(d)
		g := &haven.AccessGrant{CaseID: c.ID, Username: grantee.Username, Kind: "grant", ExpiresAt: &until, GrantedBy: u.Username, CreatedAt: now}
		if err := tx.InsertAccessGrant(ctx, g, grantee.ID, u.ID); err != nil {
			return nil, err
		}
		return g, record(ctx, tx, now, u, "case.access_granted", "case", c.Number, c.ID,
			map[string]any{"user": grantee.Username, "until": until})
	})
}

// BreakGlass opens a restricted case to a lead or admin who has no need-to-know access, after
// they give a reason. The opening lasts BreakGlassDuration, is recorded with its reason on the
// case's timeline (where its owners see it) and in the audit trail.
func (s *Service) BreakGlass(ctx context.Context, number, reason string) (*haven.Case, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "a reason is required to break the glass", Fields: map[string]string{"reason": "required, at most 2000 bytes"}}
	}
	if u.Role != haven.RoleLead && u.Role != haven.RoleAdmin {
		// The case's existence stays confidential: answer as if there were no such case.
		return nil, haven.Errorf(haven.ENOTFOUND, "case %s not found", number)
	}
	now := s.clock.Now()
	var c *haven.Case
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		number = strings.ToUpper(strings.TrimSpace(number))
		if c, err = tx.CaseByNumber(ctx, number); err != nil || !haven.ValidCaseNumber(number) {
			return haven.Errorf(haven.ENOTFOUND, "case %s not found", number)
		}
		until := now.Add(haven.BreakGlassDuration)
		g := &haven.AccessGrant{CaseID: c.ID, Kind: "break-glass", ExpiresAt: &until, Reason: reason, CreatedAt: now}
		if err := tx.InsertAccessGrant(ctx, g, u.ID, u.ID); err != nil {
			return err
		}
		who, err := s.breakGlassOwners(ctx, tx, c, u)
		if err != nil {
			return err
		}
		for _, o := range who {
			n := &haven.Notification{UserID: o.ID, Kind: "break_glass", CaseID: c.ID, Actor: u.Username, CreatedAt: now,
				Text: fmt.Sprintf("%s broke the glass on %s until %s UTC: %s", u.Username, c.Number, until.Format("2006-01-02 15:04"), reason)}
			if err := tx.InsertNotification(ctx, n); err != nil {
				return err
			}
		}
		return record(ctx, tx, now, u, "case.break_glass", "case", c.Number, c.ID,
			map[string]any{"reason": reason, "until": until, "owners": owners(c), "notified": len(who)})
	})
	return c, err
}

// breakGlassOwners are the users told of a break-glass opening: the case's owners (assignee and
// named users) and its compartment's members, except the one who broke the glass.
func (s *Service) breakGlassOwners(ctx context.Context, tx haven.Tx, c *haven.Case, actor *haven.User) ([]*haven.User, error) {
	names := owners(c)
	if c.Compartment != "" {
		comp, err := tx.CompartmentByName(ctx, c.Compartment)
		if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
			return nil, err
		}
		if comp != nil {
			names = append(names, comp.Members...)
		}
	}
	slices.Sort(names)
	var out []*haven.User
	for _, name := range slices.Compact(names) {
		if name == actor.Username {
			continue
		}
		u, err := tx.UserByUsername(ctx, name)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// owners are who must learn of a break-glass opening: the assignee and the named users.
func owners(c *haven.Case) []string {
	out := slices.Clone(c.RestrictedTo)
	if c.Assignee != "" && !slices.Contains(out, c.Assignee) {
		out = append(out, c.Assignee)
	}
	return out
}

// RemoveCompartmentMemberAsSystem is `haven compartment remove-member` at the console.
func (s *Service) RemoveCompartmentMemberAsSystem(ctx context.Context, compartment, username string) (*haven.Compartment, error) {
	return s.changeCompartment(ctx, nil, compartment, username, false)
}
