package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// CaseFacts reads, one at a time, the cases v may see that were open at some time in the
// query's period and match its filters: the figures the dashboard counts, never a title or a
// person. The platforms a case was escalated to are read only for that grouping.
func (tx *Tx) CaseFacts(ctx context.Context, f haven.CaseStatsQuery, v haven.Viewer, each func(*haven.CaseFact)) error {
	q := &queryBuilder{}
	if !f.Console {
		q.add(visibility(q, v))
	}
	return tx.caseFacts(ctx, f, q, each)
}

// HiddenCaseFacts reads the restricted cases of the period that v may not see: what the
// roll-ups (which count every case) must take away for v. Restricted cases are few (an index
// holds them apart), so this costs little whatever the number of cases.
func (tx *Tx) HiddenCaseFacts(ctx context.Context, f haven.CaseStatsQuery, v haven.Viewer, each func(*haven.CaseFact)) error {
	q := &queryBuilder{}
	// The period first, on the restricted cases alone (their own index); need-to-know then only
	// for those.
	q.add("c.id IN (SELECT id FROM cases WHERE restricted = TRUE AND created_at < " + q.arg(micros(f.To)) +
		" AND (closed_at IS NULL OR closed_at >= " + q.arg(micros(f.From)) + "))")
	q.add("NOT COALESCE(" + visibility(q, v) + ", FALSE)") // an unassigned case's assignee test is NULL, not FALSE
	return tx.caseFacts(ctx, f, q, each)
}

func (tx *Tx) caseFacts(ctx context.Context, f haven.CaseStatsQuery, q *queryBuilder, each func(*haven.CaseFact)) error {
	// Open, or closed on or after the period's start: one range of the period indexes (migration
	// 0039), which a team or a country leads; a category and its branch are found by their labels.
	q.add("COALESCE(c.closed_at, " + openEnd + ") >= " + q.arg(micros(f.From)))
	q.add("c.created_at < " + q.arg(micros(f.To)))
	if f.Team != "" {
		q.add("c.team_id = (SELECT id FROM teams WHERE name = " + q.arg(f.Team) + ")")
	}
	if f.Country != "" {
		q.add("c.country = " + q.arg(f.Country))
	}
	if f.Category != "" {
		q.add(tx.inCategory(q, f.Category))
	}
	rows, err := tx.query(ctx, factColumns(tx, f.By == "platform")+q.whereSQL(), q.args...)
	if err != nil {
		return mapError("case facts", err)
	}
	defer rows.Close()
	for rows.Next() {
		fact, err := scanCaseFact(rows)
		if err != nil {
			return err
		}
		each(fact)
	}
	return mapError("case facts", rows.Err())
}

// factColumns selects what scanCaseFact reads; the platforms a case was escalated to only when
// asked (a subquery per case).
func factColumns(tx *Tx, withPlatforms bool) string {
	platforms := "''"
	if withPlatforms {
		platforms = "COALESCE((SELECT " + tx.groupConcat("DISTINCT e.platform") + " FROM escalations e WHERE e.case_id = c.id), '')"
	}
	return `SELECT c.created_at, COALESCE(c.closed_at, 0), COALESCE(s.body, ''), COALESCE(t.name, ''),
		c.country, c.language, COALESCE((SELECT r.channel FROM reports r WHERE r.origin_case_id = c.id ORDER BY r.id LIMIT 1), ''),
		c.priority_rank, c.outcome, COALESCE(u.username, ''), c.categories, c.consent, ` + platforms + `,
		c.id, COALESCE(c.team_id, 0), COALESCE(c.assignee_id, 0), c.restricted
		FROM cases c LEFT JOIN teams t ON t.id = c.team_id LEFT JOIN users u ON u.id = c.assignee_id
		LEFT JOIN case_sla s ON s.case_id = c.id`
}

// openEnd stands for the closing time of a case still open, as the period indexes write it.
const openEnd = "9223372036854775807"

// inCategory keeps the cases filed under a category or its branch ("phishing/…"). On SQLite
// the period's cases (one range of an index) are each tested by their own few labels: finding
// the category's cases first would read every case ever filed under it (807 ms at a million
// cases against 300 ms). SQLite text compares byte by byte, so the branch is the range between
// "phishing/" and "phishing0" ('/' + 1); PostgreSQL's collation may not order them so, and there
// the category's cases are found first, by LIKE.
func (tx *Tx) inCategory(q *queryBuilder, category string) string {
	if tx.dialect == Postgres {
		return "c.id IN (SELECT case_id FROM case_labels WHERE kind = 'c' AND (label = " + q.arg(category) +
			" OR label LIKE " + q.arg(escapeLike(category)+"/%") + " ESCAPE '\\'))"
	}
	return "EXISTS (SELECT 1 FROM case_labels l INDEXED BY case_labels_case WHERE l.case_id = c.id AND l.kind = 'c' AND (l.label = " +
		q.arg(category) + " OR (l.label > " + q.arg(category+"/") + " AND l.label < " + q.arg(category+"0") + ")))"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func scanCaseFact(rows *sql.Rows) (*haven.CaseFact, error) {
	var f haven.CaseFact
	var created, closed int64
	var rank int
	var body, categories, consent, platforms string
	if err := rows.Scan(&created, &closed, &body, &f.Team, &f.Country, &f.Language, &f.Channel, &rank, &f.Outcome,
		&f.Assignee, &categories, &consent, &platforms, &f.ID, &f.TeamID, &f.AssigneeID, &f.Restricted); err != nil {
		return nil, mapError("case facts", err)
	}
	f.CreatedAt, f.Priority = fromMicros(created), haven.PriorityFromRank(rank)
	if closed != 0 {
		f.ClosedAt = fromMicros(closed)
	}
	if body != "" { // a case without clocks has no SLA figures
		sla := fromJSON[haven.CaseSLA](body)
		if sla.FirstResponseAt != nil {
			f.FirstResponseAt = *sla.FirstResponseAt
		}
		f.SLAFirstResponse = slaState(&sla, haven.TargetFirstResponse, sla.FirstResponseAt, closed != 0)
		f.SLAResolution = slaState(&sla, haven.TargetResolution, sla.ResolvedAt, closed != 0)
	}
	f.Categories, f.Consented = fromJSON[[]string](categories), fromJSON[haven.Consent](consent).Statistics
	if platforms != "" {
		f.Platforms = strings.Split(platforms, ",")
	}
	return &f, nil
}

// slaState is a target's state as the case's clocks record it: breached once the SLA job (or
// the stop) recorded it so, met when reached in time, running while the case is open. The state
// changes only with a write of the case or its clocks, which marks the case's days: roll-ups of
// it stay true without a clock of their own.
func slaState(st *haven.CaseSLA, target string, reached *time.Time, closed bool) string {
	switch {
	case slices.Contains(st.Breached, target):
		return haven.SLABreached
	case reached != nil:
		return haven.SLAMet
	case !closed:
		return haven.SLARunning
	}
	return "" // closed without reaching it nor a recorded breach: no figure
}

// groupConcat is the dialect's aggregate joining values with commas.
func (tx *Tx) groupConcat(expr string) string {
	if tx.dialect == Postgres {
		return "string_agg(" + expr + ", ',')"
	}
	return "group_concat(" + expr + ")"
}
