package sqldb

import (
	"context"
	"database/sql"

	"github.com/haven-helpline/haven"
)

// visibility returns the SQL condition under which viewer v may see case c: an unrestricted case,
// or one they need to know about: assigned to them, in one of their compartments, restricted to
// them, opened to them by an unexpired grant or break-glass, or, for a lead, a restricted case
// of a team they lead that is in no compartment or is TLP:RED (restricting a team case never
// hides it from the team's leads; a compartment's cases are for its members). It is the only
// definition of need-to-know: lists, search, counts and single reads all use it.
func visibility(q *queryBuilder, v haven.Viewer) string {
	user, now := q.arg(v.UserID), q.arg(micros(v.Now))
	access := ""
	if v.NoBreakGlass {
		access = ` AND a.kind <> 'break-glass'`
	}
	cond := `(c.restricted = FALSE OR c.assignee_id = ` + user + `
	OR EXISTS (SELECT 1 FROM compartment_members m WHERE m.compartment = c.compartment AND m.user_id = ` + user + `)
	OR EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = c.id AND a.user_id = ` + user + access + `
		AND (a.expires_at IS NULL OR a.expires_at > ` + now + `))`
	if v.Lead {
		cond += `
	OR ((c.tlp = 'red' OR c.compartment = '') AND c.team_id IN (SELECT team_id FROM team_members WHERE user_id = ` + user + `))`
	}
	return cond + ")"
}

// CaseVisible reports whether v may see the case.
func (tx *Tx) CaseVisible(ctx context.Context, caseID int64, v haven.Viewer) (bool, error) {
	q := &queryBuilder{}
	id := q.arg(caseID)
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM cases c WHERE c.id = `+id+` AND `+visibility(q, v), q.args...).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, mapError("case visibility", err)
}

// SeesRestricted reports whether v may see any restricted case beyond what every viewer sees.
// Leads are answered true: their TLP:RED rule depends on their teams.
func (tx *Tx) SeesRestricted(ctx context.Context, v haven.Viewer) (bool, error) {
	if v.Lead {
		return true, nil
	}
	var some bool
	err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM compartment_members WHERE user_id = $1)
		OR EXISTS (SELECT 1 FROM case_access WHERE user_id = $1 AND (expires_at IS NULL OR expires_at > $2))
		OR EXISTS (SELECT 1 FROM cases WHERE assignee_id = $1 AND restricted = TRUE)`, v.UserID, micros(v.Now)).Scan(&some)
	return some, mapError("sees restricted", err)
}

// writeRestrictedTo replaces the users a case is restricted to.
func (tx *Tx) writeRestrictedTo(ctx context.Context, c *haven.Case) error {
	if err := tx.execLater(ctx, "case_access", "clear named access", `DELETE FROM case_access WHERE case_id = $1 AND kind = 'named'`, c.ID); err != nil {
		return err
	}
	return tx.grantNamed(ctx, c)
}

// grantNamed gives the users a case is restricted to by name their access.
func (tx *Tx) grantNamed(ctx context.Context, c *haven.Case) error {
	for _, name := range c.RestrictedTo {
		if _, err := tx.exec(ctx, "named access", `INSERT INTO case_access (case_id, user_id, kind, created_at)
			SELECT $1, id, 'named', $2 FROM users WHERE username = $3`, c.ID, micros(c.UpdatedAt), name); err != nil {
			return err
		}
	}
	return nil
}

// loadRestrictedTo reads the users a case is restricted to; an unrestricted case has none, so
// the common case costs no query.
func (tx *Tx) loadRestrictedTo(ctx context.Context, c *haven.Case) error {
	if !c.Restricted {
		c.RestrictedTo = []string{}
		return nil
	}
	names, err := queryAll(ctx, tx, "named access", `SELECT u.username FROM case_access a JOIN users u ON u.id = a.user_id
		WHERE a.case_id = $1 AND a.kind = 'named' ORDER BY u.username`, func(row rowScanner) (string, error) {
		var s string
		return s, row.Scan(&s)
	}, c.ID)
	c.RestrictedTo = names
	return err
}

// InsertCompartment creates a compartment.
func (tx *Tx) InsertCompartment(ctx context.Context, name string) error {
	_, err := tx.exec(ctx, "insert compartment", `INSERT INTO compartments (name) VALUES ($1)`, name)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "the compartment " + name + " exists", Err: err}
	}
	return err
}

// Compartments lists compartments with their members.
func (tx *Tx) Compartments(ctx context.Context) ([]*haven.Compartment, error) {
	names, err := queryAll(ctx, tx, "compartments", `SELECT name FROM compartments ORDER BY name`, func(row rowScanner) (string, error) {
		var s string
		return s, row.Scan(&s)
	})
	if err != nil {
		return nil, err
	}
	out := make([]*haven.Compartment, 0, len(names))
	for _, n := range names {
		c, err := tx.CompartmentByName(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// CompartmentByName reads one compartment with its members.
func (tx *Tx) CompartmentByName(ctx context.Context, name string) (*haven.Compartment, error) {
	var found string
	if err := tx.queryRow(ctx, `SELECT name FROM compartments WHERE name = $1`, name).Scan(&found); err != nil {
		return nil, notFound(err, "compartment "+name)
	}
	members, err := queryAll(ctx, tx, "compartment members", `SELECT u.username FROM compartment_members m
		JOIN users u ON u.id = m.user_id WHERE m.compartment = $1 ORDER BY u.username`, func(row rowScanner) (string, error) {
		var s string
		return s, row.Scan(&s)
	}, name)
	return &haven.Compartment{Name: found, Members: members}, err
}

// AddCompartmentMember adds a member (idempotent).
func (tx *Tx) AddCompartmentMember(ctx context.Context, compartment string, userID int64) error {
	_, err := tx.exec(ctx, "add compartment member", `INSERT INTO compartment_members (compartment, user_id) VALUES ($1, $2)
		ON CONFLICT (compartment, user_id) DO NOTHING`, compartment, userID)
	return err
}

// RemoveCompartmentMember removes a member (idempotent).
func (tx *Tx) RemoveCompartmentMember(ctx context.Context, compartment string, userID int64) error {
	_, err := tx.exec(ctx, "remove compartment member", `DELETE FROM compartment_members WHERE compartment = $1 AND user_id = $2`, compartment, userID)
	return err
}

// CompartmentHasCases reports whether any case is in the compartment.
func (tx *Tx) CompartmentHasCases(ctx context.Context, compartment string) (bool, error) {
	var some bool
	err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cases WHERE compartment = $1)`, compartment).Scan(&some)
	return some, mapError("compartment cases", err)
}

// InsertAccessGrant records a grant or a break-glass opening.
func (tx *Tx) InsertAccessGrant(ctx context.Context, g *haven.AccessGrant, userID, grantedBy int64) error {
	_, err := tx.exec(ctx, "access grant", `INSERT INTO case_access (case_id, user_id, kind, expires_at, granted_by, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, g.CaseID, userID, g.Kind, nullMicros(g.ExpiresAt), nullID(grantedBy), g.Reason, micros(g.CreatedAt))
	return err
}

// requesterVisibility is the condition under which v may see requester r: no case at all, or at
// least one case v may see. Someone known only through restricted cases stays as confidential as
// those cases.
func requesterVisibility(q *queryBuilder, v haven.Viewer, alias string) string {
	return `(NOT EXISTS (SELECT 1 FROM cases c WHERE c.requester_id = ` + alias + `.id)
	OR EXISTS (SELECT 1 FROM cases c WHERE c.requester_id = ` + alias + `.id AND ` + visibility(q, v) + `))`
}

// RequesterVisible reports whether v may see the requester.
func (tx *Tx) RequesterVisible(ctx context.Context, id int64, v haven.Viewer) (bool, error) {
	q := &queryBuilder{}
	cond := `SELECT 1 FROM requesters r WHERE r.id = ` + q.arg(id) + ` AND ` + requesterVisibility(q, v, "r")
	var one int
	err := tx.queryRow(ctx, cond, q.args...).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	return err == nil, mapError("requester visibility", err)
}
