package main

import (
	"encoding/json"
	"text/tabwriter"

	"github.com/haven-helpline/haven"
)

// RetentionCmd groups the retention commands.
type RetentionCmd struct {
	List  RetentionListCmd  `cmd:"" help:"List the retention policies."`
	Set   RetentionSetCmd   `cmd:"" help:"Keep the personal data of a category's closed cases DAYS days (0 removes the policy; * is the default)."`
	Purge RetentionPurgeCmd `cmd:"" help:"Purge the cases whose retention ran out now (the server does it daily at 03:00 UTC)."`
}

// RetentionListCmd lists policies.
type RetentionListCmd struct{ DBFlags }

// Run prints one policy a line.
func (c *RetentionListCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	var ps []*haven.RetentionPolicy
	err = a.db.View(e.ctx, func(tx haven.Tx) (err error) { ps, err = tx.RetentionPolicies(e.ctx); return err })
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	e.fprintln(w, "CATEGORY\tDAYS AFTER CLOSURE")
	for _, p := range ps {
		e.fprintf(w, "%s\t%d\n", p.Category, p.Days)
	}
	return w.Flush()
}

// RetentionSetCmd sets a policy.
type RetentionSetCmd struct {
	DBFlags
	Category string `arg:"" help:"A category slug, or * for every category without a policy of its own."`
	Days     int    `arg:"" help:"Days after closure; 0 removes the policy."`
}

// Run sets the policy (recorded in the audit trail).
func (c *RetentionSetCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	p, err := a.svc.SetRetentionPolicyAsSystem(e.ctx, haven.RetentionPolicy{Category: c.Category, Days: c.Days})
	if err != nil {
		return err
	}
	if p.Days == 0 {
		e.printf("removed the policy of %s\n", p.Category)
		return nil
	}
	e.printf("%s: %d days after closure\n", p.Category, p.Days)
	return nil
}

// RetentionPurgeCmd purges now.
type RetentionPurgeCmd struct{ DBFlags }

// Run purges and prints what was purged as JSON.
func (c *RetentionPurgeCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	p, err := a.svc.PurgeExpired(e.ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}
