package sqldb

import (
	"context"
	"time"

	"github.com/haven-helpline/haven"
)

// RetentionPolicies lists the policies by category ("*", the default, first).
func (tx *Tx) RetentionPolicies(ctx context.Context) ([]*haven.RetentionPolicy, error) {
	return queryAll(ctx, tx, "retention policies", `SELECT category, days, updated_at FROM retention_policies ORDER BY category`,
		func(row rowScanner) (*haven.RetentionPolicy, error) {
			p := &haven.RetentionPolicy{}
			var at int64
			err := row.Scan(&p.Category, &p.Days, &at)
			p.UpdatedAt = fromMicros(at)
			return p, err
		})
}

// PutRetentionPolicy creates or changes a category's policy.
func (tx *Tx) PutRetentionPolicy(ctx context.Context, p *haven.RetentionPolicy) error {
	_, err := tx.exec(ctx, "put retention policy", `INSERT INTO retention_policies (category, days, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (category) DO UPDATE SET days = excluded.days, updated_at = excluded.updated_at`,
		p.Category, p.Days, micros(p.UpdatedAt))
	return err
}

// DeleteRetentionPolicy removes a category's policy.
func (tx *Tx) DeleteRetentionPolicy(ctx context.Context, category string) error {
	res, err := tx.exec(ctx, "delete retention policy", `DELETE FROM retention_policies WHERE category = $1`, category)
	if err != nil {
		return err
	}
	return expectOne(res, "retention policy for "+category)
}

// ExpiredCases finds closed, unpurged cases past their retention. Only cases closed longer ago
// than the shortest policy can have expired, so the database narrows to those (cases_closed
// index); each candidate's own period, the longest of its categories', is then checked here.
func (tx *Tx) ExpiredCases(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	policies, err := tx.RetentionPolicies(ctx)
	if err != nil || len(policies) == 0 {
		return nil, err
	}
	days := map[string]int{}
	shortest := policies[0].Days
	for _, p := range policies {
		days[p.Category] = p.Days
		shortest = min(shortest, p.Days)
	}
	type candidate struct {
		id         int64
		closedAt   int64
		categories string
	}
	cands, err := queryAll(ctx, tx, "retention candidates", `SELECT id, closed_at, categories FROM cases
		WHERE purged_at IS NULL AND closed_at IS NOT NULL AND closed_at <= $1 ORDER BY closed_at, id`,
		func(row rowScanner) (candidate, error) {
			var c candidate
			return c, row.Scan(&c.id, &c.closedAt, &c.categories)
		}, micros(now.AddDate(0, 0, -shortest)))
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, c := range cands {
		period, ok := retentionDays(days, fromJSON[[]string](c.categories))
		if ok && !fromMicros(c.closedAt).AddDate(0, 0, period).After(now) {
			out = append(out, c.id)
			if len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// retentionDays is the longest period among a case's categories (the default policy standing in
// for categories without one); ok is false when some category has no period at all, as the case
// must then be kept.
func retentionDays(days map[string]int, categories []string) (int, bool) {
	def, hasDefault := days[haven.DefaultRetention]
	if len(categories) == 0 {
		return def, hasDefault
	}
	longest := 0
	for _, c := range categories {
		d, ok := days[c]
		if !ok {
			if !hasDefault {
				return 0, false
			}
			d = def
		}
		longest = max(longest, d)
	}
	return longest, true
}

// PurgeCase blanks a case's own personal fields and marks it purged; the statistics (categories,
// priority, status, outcome, country, dates, team) stay.
func (tx *Tx) PurgeCase(ctx context.Context, caseID int64, at time.Time) error {
	clear(tx.written) // the case's row changes here (case.go, noteWritten)
	res, err := tx.exec(ctx, "purge case", `UPDATE cases SET title = '', summary = '', tags = '[]', region = '',
		requester_id = NULL, purged_at = $2, version = version + 1 WHERE id = $1 AND purged_at IS NULL`, caseID, micros(at))
	if err != nil {
		return err
	}
	if err := expectOne(res, "unpurged case"); err != nil {
		return err
	}
	tx.markRelabelled(caseID) // its document's tag terms go too (search.go)
	tags, err := queryAll(ctx, tx, "purge case tags", `DELETE FROM case_labels WHERE case_id = $1 AND kind = 't' RETURNING label`,
		func(row rowScanner) (string, error) {
			var tag string
			return tag, row.Scan(&tag)
		}, caseID)
	for _, tag := range tags {
		tx.dropLabel(labelFilter{"t", tag}) // and, carried by no other case, their drawn terms (labelterms.go)
	}
	return err
}
