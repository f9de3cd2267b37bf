package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/email"
	"github.com/haven-helpline/haven/i18n"
	"github.com/haven-helpline/haven/jobs"
	"github.com/haven-helpline/haven/web"
)

// jobBriefingMail runs daily at 06:00 UTC (once per day whatever the number of instances) and
// mails the executive report when the schedule says the day has come.
const jobBriefingMail = "briefing.mail"

// mailBriefing sends the report of the period before day to the schedule's list, as an HTML
// attachment with the key figures in the text, when it is due on day.
func mailBriefing(ctx context.Context, a *app, s *sender, day time.Time) error {
	sched, err := a.svc.BriefingScheduleAsSystem(ctx)
	if err != nil {
		return err
	}
	from, to, due := sched.Due(day)
	if !due || len(sched.To) == 0 {
		return nil
	}
	q := haven.CaseStatsQuery{StatsQuery: haven.StatsQuery{From: from, To: to, By: "month"}}
	b, err := a.svc.BriefingAsSystem(ctx, q)
	if err != nil {
		return err
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := web.WriteBriefing(&page, cat, sched.Lang, "html", b); err != nil {
		return err
	}
	l := cat.Localizer(sched.Lang)
	subject := l.T("brief.title", "From", b.From, "To", b.To)
	text := fmt.Sprintf("%s\n\n%s: %d\n%s: %d\n%s: %d\n", subject, l.T("dash.new"), b.Current.New, l.T("dash.closed"),
		b.Current.Closed, l.T("dash.open"), b.Current.Open)
	att := email.OutAttachment{Filename: "haven-report-" + b.From + "-" + b.To + ".html", ContentType: "text/html", Data: page.Bytes()}
	var errs []error
	for _, addr := range sched.To {
		errs = append(errs, s.mail(ctx, addr, subject, text, att))
	}
	return errors.Join(errs...)
}

// briefingJob is the job handler: without a relay there is nothing to mail with.
func briefingJob(e *env, a *app, s *sender) jobs.Handler {
	return func(ctx context.Context, _ *haven.Job) error {
		if s == nil {
			return nil
		}
		err := mailBriefing(ctx, a, s, time.Now().UTC())
		if err != nil {
			e.log.Warn("executive report mail", "err", err.Error())
		}
		return err
	}
}
