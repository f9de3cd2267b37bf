package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
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

// AddCompartmentMember gives a user the need to know for a compartment. Only an existing member
// may add one (an admin may add the first member of a compartment that has no member and no
// case): an admin cannot join a compartment to read it and leave unseen. Every change is told
// to the compartment's members (compartmentChanged).
func (s *Service) AddCompartmentMember(ctx context.Context, compartment, username string) (*haven.Compartment, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	return s.changeCompartment(ctx, u, compartment, username, true)
}

// RemoveCompartmentMember takes it away: a member or an admin may (taking access away is
// always allowed to admins).
func (s *Service) RemoveCompartmentMember(ctx context.Context, compartment, username string) (*haven.Compartment, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	return s.changeCompartment(ctx, u, compartment, username, false)
}

// mayChangeMembers applies the membership rule to actor (nil: the operator at the console).
func mayChangeMembers(ctx context.Context, tx haven.Tx, actor *haven.User, comp *haven.Compartment, add bool) error {
	if actor == nil || slices.Contains(comp.Members, actor.Username) {
		return nil
	}
	if !actor.IsAdmin() {
		return haven.Errorf(haven.EFORBIDDEN, "only members of %s can change its members", comp.Name)
	}
	if !add {
		return nil
	}
	used, err := tx.CompartmentHasCases(ctx, comp.Name)
	if err != nil {
		return err
	}
	if len(comp.Members) > 0 || used {
		return haven.Errorf(haven.EFORBIDDEN, "only members of %s can add members; an admin may only add the first member of a new compartment", comp.Name)
	}
	return nil
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
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		before, err := tx.CompartmentByName(ctx, compartment)
		if err != nil {
			return err
		}
		if err := mayChangeMembers(ctx, tx, actor, before, add); err != nil {
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
		tell := append(slices.Clone(before.Members), member.Username)
		if err := notifyUsers(ctx, tx, tell, actor, &haven.Notification{Kind: action, Actor: actorName(actor), CreatedAt: now,
			Text: fmt.Sprintf("%s: %s %s by %s", compartment, member.Username, strings.TrimPrefix(action, "compartment.member_"), cmp.Or(actorName(actor), "the operator (console)"))}); err != nil {
			return err
		}
		return record(ctx, tx, now, actor, action, "compartment", compartment, 0, map[string]any{"user_id": member.ID})
	})
	return out, err
}

// actorName names who acted: a user, or the console's operator (whose notifications have no
// actor).
func actorName(u *haven.User) string {
	if u == nil {
		return ""
	}
	return u.Username
}

// notifyUsers sends a copy of n to each named user except the actor.
func notifyUsers(ctx context.Context, tx haven.Tx, names []string, actor *haven.User, n *haven.Notification) error {
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		if actor != nil && name == actor.Username {
			continue
		}
		u, err := tx.UserByUsername(ctx, name)
		if err != nil {
			return err
		}
		copy := *n
		copy.UserID = u.ID
		if err := tx.InsertNotification(ctx, &copy); err != nil {
			return err
		}
	}
	return nil
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
		if err := s.notThroughBreakGlass(ctx, tx, u, c, "grant access to it"); err != nil {
			return nil, err
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
		if err := s.tellOwners(ctx, tx, c, u, now, "access_granted", []string{grantee.Username},
			fmt.Sprintf("%s opened %s to %s until %s UTC", u.Username, c.Number, grantee.Username, until.Format("2006-01-02 15:04"))); err != nil {
			return nil, err
		}
		return g, record(ctx, tx, now, u, "case.access_granted", "case", c.Number, c.ID,
			map[string]any{"user_id": grantee.ID, "until": until})
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
		notified, err := s.tellBrokenGlass(ctx, tx, u, c, until, now)
		if err != nil {
			return err
		}
		return recordDetail(ctx, tx, now, u, "case.break_glass", "case", c.Number, c.ID,
			map[string]any{"until": until, "notified": notified}, map[string]any{"reason": reason})
	})
	return c, err
}

// caseOwners are who must learn of a change to who may see a restricted case: its assignee,
// the users it is restricted to, its compartment's members and its team's leads.
func (s *Service) caseOwners(ctx context.Context, tx haven.Tx, c *haven.Case) ([]string, error) {
	names := slices.Clone(c.RestrictedTo)
	if c.Assignee != "" {
		names = append(names, c.Assignee)
	}
	if c.Compartment != "" {
		comp, err := tx.CompartmentByName(ctx, c.Compartment)
		if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
			return nil, err
		}
		if comp != nil {
			names = append(names, comp.Members...)
		}
	}
	leads, err := teamLeads(ctx, tx, c.Team)
	return append(names, leads...), err
}

// teamLeads are the leads among a team's members.
func teamLeads(ctx context.Context, tx haven.Tx, team string) ([]string, error) {
	if team == "" {
		return nil, nil
	}
	t, err := tx.TeamByName(ctx, team)
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range t.Members {
		u, err := tx.UserByUsername(ctx, name)
		if err != nil {
			return nil, err
		}
		if u.Role == haven.RoleLead && !u.Disabled {
			out = append(out, name)
		}
	}
	return out, nil
}

// tellOwners notifies the case's owners, and the users in extra, of a change of who may see it.
func (s *Service) tellOwners(ctx context.Context, tx haven.Tx, c *haven.Case, actor *haven.User, now time.Time, kind string, extra []string, text string) error {
	who, err := s.caseOwners(ctx, tx, c)
	if err != nil {
		return err
	}
	return notifyUsers(ctx, tx, append(who, extra...), actor, &haven.Notification{Kind: kind, CaseID: c.ID,
		Actor: actorName(actor), CreatedAt: now, Text: text})
}

// notThroughBreakGlass refuses a change of who may see a restricted case to someone who sees it
// only because they broke the glass: break-glass is a short, reasoned, watched look, and must
// not become lasting or silent access.
func (s *Service) notThroughBreakGlass(ctx context.Context, tx haven.Tx, u *haven.User, c *haven.Case, what string) error {
	if !c.Restricted {
		return nil
	}
	v := s.viewer(u)
	v.NoBreakGlass = true
	byRight, err := tx.CaseVisible(ctx, c.ID, v)
	if err != nil || byRight {
		return err
	}
	return haven.Errorf(haven.EFORBIDDEN, "you see case %s through break-glass only, and cannot %s", c.Number, what)
}

// RemoveCompartmentMemberAsSystem is `haven compartment remove-member` at the console.
func (s *Service) RemoveCompartmentMemberAsSystem(ctx context.Context, compartment, username string) (*haven.Compartment, error) {
	return s.changeCompartment(ctx, nil, compartment, username, false)
}
