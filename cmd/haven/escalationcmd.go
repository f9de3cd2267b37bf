package main

import (
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/haven-helpline/haven"
)

// EscalationCmd groups the escalation commands.
type EscalationCmd struct {
	List EscalationListCmd `cmd:"" help:"List escalations to platforms, newest first (state, age, overdue; no text)."`
}

// EscalationListCmd lists escalations for the operator at the console.
type EscalationListCmd struct {
	DBFlags
	Platform string `name:"platform" placeholder:"SLUG" help:"Only escalations to this platform (e.g. instagram)."`
	Kind     string `name:"kind" help:"Only this kind (account-recovery, hacked-account, content-removal, …)."`
	State    string `name:"state" help:"Only this state (draft, sent, acknowledged, resolved, declined, no-response, withdrawn)."`
	Overdue  bool   `name:"overdue" help:"Only escalations past the platform's response target without an answer."`
	Limit    int    `name:"limit" default:"100" help:"At most this many."`
}

// Run prints one line per escalation: references and figures, never the text sent.
func (c *EscalationListCmd) Run(e *env) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	f := haven.EscalationFilter{Platform: c.Platform, Kind: c.Kind, State: haven.EscalationState(c.State),
		Overdue: c.Overdue, Limit: c.Limit}
	es, err := a.svc.EscalationsAsSystem(e.ctx, f)
	if err != nil {
		return err
	}
	now := time.Now()
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	e.fprintln(w, "ID\tCASE\tPLATFORM\tKIND\tCHANNEL\tSTATE\tOWNER\tSENT\tAGE\tOVERDUE")
	for _, x := range es {
		sent, age := "-", "-"
		if x.SentAt != nil {
			sent, age = x.SentAt.Format(time.DateOnly), ageOf(now.Sub(*x.SentAt))
		}
		e.fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, x.CaseNumber, x.Platform, x.Kind, x.Channel,
			x.State, dash(x.Owner), sent, age, yesNo(x.IsOverdue(now)))
	}
	return w.Flush()
}

// ageOf writes a duration as days and hours.
func ageOf(d time.Duration) string {
	days := int(d.Hours()) / 24
	if days > 0 {
		return strconv.Itoa(days) + "d" + strconv.Itoa(int(d.Hours())%24) + "h"
	}
	return strconv.Itoa(int(d.Hours())) + "h"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
