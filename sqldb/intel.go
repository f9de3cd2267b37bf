package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

const groupColumns = `SELECT id, kind, name, aliases, description, tlp, actor_kind, actors, techniques, first_seen,
	last_seen, created_at, updated_at, data_key FROM threat_groups`

// groupFields names a group's sealed columns by their AAD (aliases as their JSON list).
func groupFields(g *haven.ThreatGroup, aliases *string) map[string]*string {
	return map[string]*string{"group:name": &g.Name, "group:aliases": aliases, "group:description": &g.Description}
}

func (tx *Tx) scanGroup(row rowScanner) (*haven.ThreatGroup, error) {
	var g haven.ThreatGroup
	var aliases, actors, techniques string
	var first, last sql.NullInt64
	var created, updated int64
	var sealed []byte
	err := row.Scan(&g.ID, &g.Kind, &g.Name, &aliases, &g.Description, &g.TLP, &g.ActorKind, &actors, &techniques,
		&first, &last, &created, &updated, &sealed)
	if err != nil {
		return nil, err
	}
	g.Techniques, g.Actors = splitCodes(techniques), splitIDs(actors)
	g.FirstSeen, g.LastSeen, g.CreatedAt, g.UpdatedAt = timePtr(first), timePtr(last), fromMicros(created), fromMicros(updated)
	k, err := tx.openRecordKey(sealed)
	if err != nil {
		return nil, err
	}
	if err := k.openAll(groupFields(&g, &aliases)); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(aliases), &g.Aliases); err != nil {
		return nil, haven.Internal("group aliases", err)
	}
	return &g, nil
}

func splitIDs(s string) []int64 {
	out := []int64{}
	for _, f := range splitCodes(s) {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// groupArgs are a group's columns after id: name, aliases and description sealed under a new
// data key, the name's blind index for uniqueness.
func (tx *Tx) groupArgs(g *haven.ThreatGroup) ([]any, error) {
	k, err := tx.newRecordKey()
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(g.Aliases)
	if err != nil {
		return nil, haven.Internal("group aliases", err)
	}
	enc, aliases := *g, string(raw)
	if err := k.sealAll(groupFields(&enc, &aliases)); err != nil {
		return nil, err
	}
	blind := tx.keys.index.Blind("group:"+g.Kind, strings.ToLower(strings.TrimSpace(g.Name)))
	return []any{g.Kind, enc.Name, aliases, enc.Description, string(g.TLP), g.ActorKind, joinIDs(g.Actors),
		strings.Join(g.Techniques, ","), nullMicros(g.FirstSeen), nullMicros(g.LastSeen), micros(g.CreatedAt),
		micros(g.UpdatedAt), []byte(k.sealed), blind}, nil
}

// InsertGroup stores a new actor or campaign; a taken name is a conflict.
func (tx *Tx) InsertGroup(ctx context.Context, g *haven.ThreatGroup) error {
	args, err := tx.groupArgs(g)
	if err != nil {
		return err
	}
	g.ID, err = tx.insertID(ctx, "insert group", `INSERT INTO threat_groups (kind, name, aliases, description, tlp,
		actor_kind, actors, techniques, first_seen, last_seen, created_at, updated_at, data_key, name_blind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`, args...)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "a " + g.Kind + " named " + g.Name + " exists", Err: err}
	}
	return err
}

// UpdateGroup writes an actor or campaign.
func (tx *Tx) UpdateGroup(ctx context.Context, g *haven.ThreatGroup) error {
	args, err := tx.groupArgs(g)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "update group", `UPDATE threat_groups SET kind = $1, name = $2, aliases = $3,
		description = $4, tlp = $5, actor_kind = $6, actors = $7, techniques = $8, first_seen = $9, last_seen = $10,
		created_at = $11, updated_at = $12, data_key = $13, name_blind = $14 WHERE id = $15`, append(args, g.ID)...)
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "a " + g.Kind + " named " + g.Name + " exists", Err: err}
	}
	if err != nil {
		return err
	}
	return expectOne(res, fmt.Sprintf("%s %d", g.Kind, g.ID))
}

// GroupByID reads one actor or campaign.
func (tx *Tx) GroupByID(ctx context.Context, id int64) (*haven.ThreatGroup, error) {
	g, err := tx.scanGroup(tx.queryRow(ctx, groupColumns+` WHERE id = $1`, id))
	return g, notFound(err, fmt.Sprintf("group %d", id))
}

// Groups lists the actors or the campaigns by name (sorted here: the names are sealed).
func (tx *Tx) Groups(ctx context.Context, kind string) ([]*haven.ThreatGroup, error) {
	gs, err := queryAll(ctx, tx, "groups", groupColumns+` WHERE kind = $1`, tx.scanGroup, kind)
	slices.SortFunc(gs, func(a, b *haven.ThreatGroup) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	return gs, err
}

// CaseIntel reads a case's techniques and groups.
func (tx *Tx) CaseIntel(ctx context.Context, caseID int64) (*haven.CaseIntel, error) {
	techniques, err := queryAll(ctx, tx, "case techniques", `SELECT technique FROM case_techniques WHERE case_id = $1
		ORDER BY technique`, func(row rowScanner) (string, error) {
		var s string
		return s, row.Scan(&s)
	}, caseID)
	if err != nil {
		return nil, err
	}
	groups, err := queryAll(ctx, tx, "case groups", `SELECT group_id FROM case_groups WHERE case_id = $1 ORDER BY group_id`,
		scanInt64, caseID)
	return &haven.CaseIntel{Techniques: techniques, Groups: groups}, err
}

// SetCaseIntel replaces a case's techniques and groups.
func (tx *Tx) SetCaseIntel(ctx context.Context, caseID int64, in *haven.CaseIntel) error {
	if _, err := tx.exec(ctx, "clear case techniques", `DELETE FROM case_techniques WHERE case_id = $1`, caseID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "clear case groups", `DELETE FROM case_groups WHERE case_id = $1`, caseID); err != nil {
		return err
	}
	for _, t := range in.Techniques {
		if _, err := tx.exec(ctx, "case technique", `INSERT INTO case_techniques (case_id, technique) VALUES ($1, $2)`, caseID, t); err != nil {
			return err
		}
	}
	for _, g := range in.Groups {
		if _, err := tx.exec(ctx, "case group", `INSERT INTO case_groups (case_id, group_id) VALUES ($1, $2)`, caseID, g); err != nil {
			return err
		}
	}
	return nil
}

// GroupCases lists the cases under a group that v may see, newest first.
func (tx *Tx) GroupCases(ctx context.Context, groupID int64, v haven.Viewer, limit int) ([]haven.CaseRef, error) {
	q := &queryBuilder{}
	query := `SELECT c.number, c.updated_at FROM case_groups g JOIN cases c ON c.id = g.case_id
		WHERE g.group_id = ` + q.arg(groupID) + ` AND ` + visibility(q, v) + ` ORDER BY c.updated_at DESC, c.id DESC LIMIT ` + q.arg(limit)
	return queryAll(ctx, tx, "group cases", query, func(row rowScanner) (haven.CaseRef, error) {
		var r haven.CaseRef
		var at int64
		err := row.Scan(&r.Number, &at)
		r.LastSeen = fromMicros(at)
		return r, err
	}, q.args...)
}
