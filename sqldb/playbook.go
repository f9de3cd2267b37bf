package sqldb

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/haven-helpline/haven"
)

const playbookColumns = `p.id, p.name, p.title, p.categories, p.auto, p.version, p.source, p.created_at, p.updated_at,
	COALESCE(u.username, '') FROM playbooks p LEFT JOIN users u ON u.id = p.updated_by`

// playbookListColumns are playbookColumns without the sources, which a list does not show and
// every case opened with a category lists (automatic playbooks): reading every source each time
// cost what the playbooks weigh.
var playbookListColumns = strings.Replace(playbookColumns, "p.source", "''", 1)

func scanPlaybook(row rowScanner) (*haven.Playbook, error) {
	var p haven.Playbook
	var title, cats string
	var created, updated int64
	if err := row.Scan(&p.ID, &p.Name, &title, &cats, &p.Auto, &p.Version, &p.Source, &created, &updated, &p.UpdatedBy); err != nil {
		return nil, err
	}
	p.Title, p.Categories = fromJSON[map[string]string](title), fromJSON[[]string](cats)
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &p, nil
}

// InsertPlaybook stores a new playbook as its version 1.
func (tx *Tx) InsertPlaybook(ctx context.Context, p *haven.Playbook, by int64) error {
	p.Version = 1
	id, err := tx.insertID(ctx, "insert playbook", `INSERT INTO playbooks (name, title, categories, auto, version, source,
		created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, 1, $5, $6, $6, $7) RETURNING id`,
		p.Name, toJSON(p.Title), toJSON(p.Categories), p.Auto, p.Source, micros(p.CreatedAt), nullID(by))
	if err != nil {
		return err
	}
	p.ID = id
	return tx.insertPlaybookVersion(ctx, p, by)
}

func (tx *Tx) insertPlaybookVersion(ctx context.Context, p *haven.Playbook, by int64) error {
	_, err := tx.exec(ctx, "playbook version", `INSERT INTO playbook_versions (playbook_id, version, source, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5)`, p.ID, p.Version, p.Source, micros(p.UpdatedAt), nullID(by))
	return err
}

// UpdatePlaybook makes p the playbook's current version and keeps it in the history.
func (tx *Tx) UpdatePlaybook(ctx context.Context, p *haven.Playbook, by int64) error {
	res, err := tx.exec(ctx, "update playbook", `UPDATE playbooks SET title = $1, categories = $2, auto = $3, version = $4,
		source = $5, updated_at = $6, updated_by = $7 WHERE id = $8 AND version = $4 - 1`,
		toJSON(p.Title), toJSON(p.Categories), p.Auto, p.Version, p.Source, micros(p.UpdatedAt), nullID(by), p.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return haven.Errorf(haven.ECONFLICT, "playbook %s was changed by someone else; try again", p.Name)
	}
	return tx.insertPlaybookVersion(ctx, p, by)
}

// PlaybookByName reads a playbook's current version.
func (tx *Tx) PlaybookByName(ctx context.Context, name string) (*haven.Playbook, error) {
	p, err := scanPlaybook(tx.queryRow(ctx, `SELECT `+playbookColumns+` WHERE p.name = $1`, name))
	return p, notFound(err, "playbook "+name)
}

// PlaybookVersion reads one version of a playbook (its source as it was then).
func (tx *Tx) PlaybookVersion(ctx context.Context, id int64, version int) (*haven.Playbook, error) {
	p, err := scanPlaybook(tx.queryRow(ctx, `SELECT p.id, p.name, p.title, p.categories, p.auto, v.version, v.source,
		p.created_at, v.created_at, COALESCE(u.username, '') FROM playbook_versions v JOIN playbooks p ON p.id = v.playbook_id
		LEFT JOIN users u ON u.id = v.created_by WHERE v.playbook_id = $1 AND v.version = $2`, id, version))
	return p, notFound(err, fmt.Sprintf("playbook %d version %d", id, version))
}

// Playbooks lists every playbook by name, without their sources.
func (tx *Tx) Playbooks(ctx context.Context) ([]*haven.Playbook, error) {
	return referenceRead(tx, "playbooks", func() ([]*haven.Playbook, error) {
		rows, err := tx.queryBeside(ctx, []string{"playbooks", "users"}, `SELECT `+playbookListColumns+` ORDER BY p.name`)
		return scanAll(rows, err, "playbooks", scanPlaybook)
	}, clonePlaybooks)
}

func clonePlaybooks(ps []*haven.Playbook) []*haven.Playbook {
	out := make([]*haven.Playbook, len(ps))
	for i, p := range ps {
		c := *p
		c.Title, c.Categories = maps.Clone(p.Title), slices.Clone(p.Categories)
		out[i] = &c
	}
	return out
}

// InsertPlaybookRun records a playbook applied to a case.
func (tx *Tx) InsertPlaybookRun(ctx context.Context, r *haven.PlaybookRun, by int64) error {
	id, err := tx.insertID(ctx, "insert playbook run", `INSERT INTO playbook_runs (case_id, playbook_id, version, applied_at, applied_by)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, r.CaseID, r.PlaybookID, r.Version, micros(r.AppliedAt), nullID(by))
	r.ID = id
	return err
}

// CasePlaybookRuns lists the runs of a case, oldest first, with their decisions.
func (tx *Tx) CasePlaybookRuns(ctx context.Context, caseID int64) ([]*haven.PlaybookRun, error) {
	runs, err := queryAll(ctx, tx, "playbook runs", `SELECT r.id, r.case_id, r.playbook_id, p.name, r.version, r.applied_at,
		COALESCE(u.username, '') FROM playbook_runs r JOIN playbooks p ON p.id = r.playbook_id
		LEFT JOIN users u ON u.id = r.applied_by WHERE r.case_id = $1 ORDER BY r.id`,
		func(row rowScanner) (*haven.PlaybookRun, error) {
			var r haven.PlaybookRun
			var at int64
			err := row.Scan(&r.ID, &r.CaseID, &r.PlaybookID, &r.Name, &r.Version, &at, &r.AppliedBy)
			r.AppliedAt, r.Decisions = fromMicros(at), []*haven.PlaybookDecision{}
			return &r, err
		}, caseID)
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		if r.Decisions, err = tx.runDecisions(ctx, r.ID); err != nil {
			return nil, err
		}
	}
	return runs, nil
}

func (tx *Tx) runDecisions(ctx context.Context, runID int64) ([]*haven.PlaybookDecision, error) {
	return queryAll(ctx, tx, "playbook decisions", `SELECT d.run_id, d.step_id, d.answer_id, d.decided_at, COALESCE(u.username, '')
		FROM playbook_decisions d LEFT JOIN users u ON u.id = d.decided_by WHERE d.run_id = $1 ORDER BY d.decided_at, d.step_id`,
		func(row rowScanner) (*haven.PlaybookDecision, error) {
			var d haven.PlaybookDecision
			var at int64
			err := row.Scan(&d.RunID, &d.StepID, &d.AnswerID, &at, &d.DecidedBy)
			d.DecidedAt = fromMicros(at)
			return &d, err
		}, runID)
}

// InsertPlaybookDecision records the answer to a decision step of a run.
func (tx *Tx) InsertPlaybookDecision(ctx context.Context, d *haven.PlaybookDecision, by int64) error {
	_, err := tx.exec(ctx, "playbook decision", `INSERT INTO playbook_decisions (run_id, step_id, answer_id, decided_at, decided_by)
		VALUES ($1, $2, $3, $4, $5)`, d.RunID, d.StepID, d.AnswerID, micros(d.DecidedAt), nullID(by))
	if haven.ErrorCode(err) == haven.ECONFLICT {
		return &haven.Error{Code: haven.ECONFLICT, Message: "step " + d.StepID + " was already answered",
			Fields: map[string]string{"step": "already answered"}, Err: err}
	}
	return err
}
