package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/jobs"
)

// Job kinds.
const (
	jobRetentionPurge    = "retention.purge"
	jobEscalationRemind  = "escalation.remind"
	jobRollupsRefresh    = "rollups.refresh"
	escalationRemindTick = 15 * time.Minute
)

// newRunner builds the background job runner of a server: the daily retention purge at 03:00 UTC
// (once per day whatever the number of instances), the escalation reminders every quarter of an
// hour (each slot once whatever the number of instances, each reminder claimed once) and, with a
// relay, the sending of replies, escalations and reminder emails. When the server stops, the
// running job has drain to finish (0: the runner's default).
func newRunner(e *env, a *app, s *sender, drain time.Duration) *jobs.Runner {
	host, _ := os.Hostname()
	r := jobs.New(a.db, haven.SystemClock{}, e.log, jobs.Config{Worker: fmt.Sprintf("%s:%d", host, os.Getpid()), Drain: drain})
	r.Handle(jobRetentionPurge, func(ctx context.Context, _ *haven.Job) error {
		p, err := a.svc.PurgeExpired(ctx)
		if err == nil && len(p.Cases) > 0 {
			e.log.Info("retention purge", "cases", len(p.Cases), "notes", p.Notes, "messages", p.Messages,
				"reports", p.Reports, "requesters", p.Requesters)
		}
		return err
	})
	r.Every(jobs.Periodic{Kind: jobRetentionPurge, Every: 24 * time.Hour, Offset: 3 * time.Hour})
	r.Handle(jobEscalationRemind, func(ctx context.Context, _ *haven.Job) error {
		sent, err := a.svc.RemindEscalations(ctx)
		if len(sent) > 0 {
			e.log.Info("escalation reminders", "sent", len(sent))
		}
		return err
	})
	r.Every(jobs.Periodic{Kind: jobEscalationRemind, Every: escalationRemindTick})
	r.Handle(haven.JobAlertStep, alertStep(a))
	r.Handle(haven.JobSLACheck, func(ctx context.Context, _ *haven.Job) error {
		_, err := a.svc.CheckSLAs(ctx)
		return err
	})
	r.Every(jobs.Periodic{Kind: haven.JobSLACheck, Every: time.Minute})
	r.Handle(jobRollupsRefresh, func(ctx context.Context, _ *haven.Job) error {
		_, err := a.svc.RefreshRollups(ctx)
		return err
	})
	r.Every(jobs.Periodic{Kind: jobRollupsRefresh, Every: time.Minute})
	r.Handle(jobBriefingMail, briefingJob(e, a, s))
	r.Every(jobs.Periodic{Kind: jobBriefingMail, Every: 24 * time.Hour, Offset: 6 * time.Hour})
	r.Handle(haven.JobPageDeliver, newPager(a.svc, s).deliver)
	if s != nil {
		r.Handle(haven.JobSendEmail, s.send)
		r.Handle(haven.JobNotifyEmail, s.notify)
	}
	return r
}

// alertStep is the alert.step job handler: page one level of an alert.
func alertStep(a *app) jobs.Handler {
	return func(ctx context.Context, j *haven.Job) error {
		var p struct {
			AlertID int64 `json:"alert_id"`
			Level   int   `json:"level"`
			Round   int   `json:"round"`
		}
		if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
			return fmt.Errorf("bad payload: %w", jobs.ErrPermanent)
		}
		return a.svc.RunAlertStep(ctx, p.AlertID, p.Level, p.Round)
	}
}
