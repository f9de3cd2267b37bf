package main

import (
	"encoding/json"
	"strings"
	"text/tabwriter"

	"github.com/haven-helpline/haven"
)

// RequesterCmd groups the data-subject commands.
type RequesterCmd struct {
	Export RequesterExportCmd `cmd:"" help:"Print as JSON everything Haven holds on a requester (data-subject access request)."`
	Erase  RequesterEraseCmd  `cmd:"" help:"Crypto-shred a requester's personal data; their cases stay, without it, for statistics."`
}

// RequesterExportCmd prints a requester's data.
type RequesterExportCmd struct {
	DBFlags
	ID int64 `arg:"" help:"The requester's id."`
}

// Run prints the export as indented JSON; the export is recorded in the audit trail.
func (c *RequesterExportCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	x, err := a.svc.ExportRequesterAsSystem(e.ctx, c.ID)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

// RequesterEraseCmd erases a requester.
type RequesterEraseCmd struct {
	DBFlags
	ID      int64 `arg:"" help:"The requester's id."`
	Yes     bool  `name:"yes" help:"Really erase. Without it, only print what would be erased. There is no undo."`
	NoScrub bool  `name:"no-scrub" help:"Do not rewrite the database files afterwards (slow, locks writes); run the erasure again later to scrub."`
}

// Run previews, or erases and then scrubs the database files.
func (c *RequesterEraseCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	if !c.Yes {
		plan, err := a.svc.PreviewErasureAsSystem(e.ctx, c.ID)
		if err != nil {
			return err
		}
		e.printErasure("would erase", plan)
		return haven.Errorf(haven.EINVALID, "nothing erased yet: run again with --yes to erase requester %d for good (there is no undo)", c.ID)
	}
	done, err := a.svc.EraseRequesterAsSystem(e.ctx, c.ID)
	if err != nil {
		return err
	}
	e.printErasure("erased", done)
	if c.NoScrub {
		e.println("database files not scrubbed (--no-scrub): old copies may linger until you run the erasure again")
		return nil
	}
	if err := a.db.Scrub(e.ctx); err != nil {
		return &haven.Error{Code: haven.ErrorCode(err), Message: "erased, but the database files were not scrubbed: " + describe(err), Err: err}
	}
	e.println("database files scrubbed")
	return nil
}

func (e *env) printErasure(verb string, x *haven.Erasure) {
	if x.Nothing() {
		e.printf("requester %d: nothing left to erase\n", x.RequesterID)
	} else {
		e.printf("requester %d: %s\n", x.RequesterID, verb)
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		for _, row := range []struct {
			what string
			n    int
		}{{"requester records", x.Requesters}, {"contacts", x.Contacts}, {"notes", x.Notes}, {"messages", x.Messages},
			{"reports", x.Reports}, {"attachment names", x.Attachments}, {"search parts", x.SearchParts},
			{"escalation texts", x.Escalations}} {
			e.fprintf(tw, "  %s\t%d\n", row.what, row.n)
		}
		e.keepWriteErr(tw.Flush())
	}
	if len(x.Cases) > 0 {
		e.printf("cases kept for statistics: %s\n", strings.Join(x.Cases, ", "))
	}
}
