package main

import (
	"encoding/json"
	"time"

	"github.com/haven-helpline/haven"
)

// AuditCmd groups the audit-trail commands.
type AuditCmd struct {
	Verify AuditVerifyCmd `cmd:"" help:"Check the audit trail's hash chain; exits non-zero naming the first bad event."`
	Export AuditExportCmd `cmd:"" help:"Write audit events as JSON lines (newest first) to standard output."`
}

// AuditVerifyCmd verifies the chain.
type AuditVerifyCmd struct {
	DBFlags
	NoSeal bool `name:"no-seal" help:"Only read: do not first seal the events committed but not yet chained (PostgreSQL; they are reported as pending), nor record a checkpoint."`
}

// Run verifies and reports.
func (c *AuditVerifyCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	if !c.NoSeal {
		if _, err := a.db.SealAudit(e.ctx, true); err != nil {
			return err
		}
	}
	report, err := a.db.VerifyAudit(e.ctx)
	if err != nil {
		return err
	}
	if report.Problem != nil {
		return haven.Errorf(haven.ECONFLICT, "audit trail NOT intact after %d good events: %s", report.Events, report.Problem)
	}
	if !c.NoSeal { // a checkpoint is a write: --no-seal only reads
		if err := a.db.RecordAuditCheckpoint(e.ctx, report, time.Now()); err != nil {
			return err
		}
	}
	e.printf("audit trail intact: %d events\n", report.Events)
	if report.Pending > 0 {
		e.printf("%d events pending sealing (committed, not yet chained; the oldest recorded %s ago)\n",
			report.Pending, time.Since(report.OldestPending).Round(time.Millisecond))
	}
	return nil
}

// AuditExportCmd exports events.
type AuditExportCmd struct {
	DBFlags
	Since  string `name:"since" placeholder:"2026-01-02[T15:04:05Z]" help:"Only events at or after this time (UTC)."`
	Until  string `name:"until" placeholder:"2026-02-01[T15:04:05Z]" help:"Only events before this time (UTC)."`
	Actor  string `name:"actor" help:"Only events by this username."`
	Action string `name:"action" help:"Only this action, or a prefix ending in '.' (e.g. case.)."`
}

// Run streams every matching event, page by page, as one JSON object per line.
func (c *AuditExportCmd) Run(e *env) (err error) {
	f, err := c.filter()
	if err != nil {
		return err
	}
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	enc := json.NewEncoder(e.stdout)
	for {
		var page *haven.EventPage
		err := a.db.View(e.ctx, func(tx haven.Tx) error {
			var err error
			page, err = tx.FindEvents(e.ctx, f)
			return err
		})
		if err != nil {
			return err
		}
		for _, ev := range page.Items {
			if err := enc.Encode(ev); err != nil {
				return haven.Internal("write", err)
			}
		}
		if page.Next == "" {
			return nil
		}
		f.Cursor = page.Next
	}
}

func (c *AuditExportCmd) filter() (haven.EventFilter, error) {
	f := haven.EventFilter{Actor: c.Actor, Action: c.Action, Limit: haven.MaxLimit, Everything: true} // the operator
	var err error
	if f.Since, err = parseTime("since", c.Since); err != nil {
		return f, err
	}
	f.Until, err = parseTime("until", c.Until)
	return f, err
}

// parseTime accepts RFC 3339 or a plain date (midnight UTC); "" is the zero time.
func parseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &haven.Error{Code: haven.EINVALID, Message: "bad time",
		Fields: map[string]string{field: "use 2006-01-02 or 2006-01-02T15:04:05Z"}}
}
