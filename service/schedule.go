package service

import (
	"context"
	"time"

	"github.com/haven-helpline/haven"
)

var _ haven.ScheduleService = (*Service)(nil)

// Schedules lists the on-call schedules (every signed-in user).
func (s *Service) Schedules(ctx context.Context) ([]*haven.ScheduleView, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	var out []*haven.ScheduleView
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.Schedules(ctx)
		return err
	})
	return out, err
}

// SchedulesAsSystem lists the schedules for the operator at the console.
func (s *Service) SchedulesAsSystem(ctx context.Context) ([]*haven.ScheduleView, error) {
	var out []*haven.ScheduleView
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		out, err = tx.Schedules(ctx)
		return err
	})
	return out, err
}

// Schedule reads a schedule with who is on call over [from, to), gaps flagged.
func (s *Service) Schedule(ctx context.Context, name string, from, to time.Time) (*haven.ScheduleView, error) {
	if _, err := reader(ctx); err != nil {
		return nil, err
	}
	if from.IsZero() {
		from = s.clock.Now()
	}
	if to.IsZero() || to.Before(from) || to.Sub(from) > 92*24*time.Hour {
		to = from.Add(28 * 24 * time.Hour)
	}
	var sched *haven.Schedule
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		sched, err = tx.ScheduleByName(ctx, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &haven.ScheduleView{Schedule: sched, Spans: sched.Spans(from, to), Gaps: sched.Gaps(from, to)}, nil
}

// OnCall answers who is on call on a schedule at a time (now when at is zero).
func (s *Service) OnCall(ctx context.Context, name string, at time.Time) (*haven.OnCallAnswer, error) {
	v, err := s.Schedule(ctx, name, at, at.Add(time.Minute))
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = s.clock.Now()
	}
	users, until := v.Schedule.OnCall(at)
	if users == nil {
		users = []string{}
	}
	return &haven.OnCallAnswer{Schedule: name, At: at, Users: users, Until: until}, nil
}

// SaveSchedule creates or replaces a schedule (leads and admins); everyone it names must exist.
func (s *Service) SaveSchedule(ctx context.Context, sched haven.Schedule) (*haven.ScheduleView, error) {
	u, err := scheduler(ctx)
	if err != nil {
		return nil, err
	}
	return s.saveSchedule(ctx, u, &sched)
}

// SaveScheduleAsSystem is SaveSchedule for the operator at the console (haven oncall schedule import).
func (s *Service) SaveScheduleAsSystem(ctx context.Context, sched haven.Schedule) (*haven.ScheduleView, error) {
	return s.saveSchedule(ctx, nil, &sched)
}

func (s *Service) saveSchedule(ctx context.Context, u *haven.User, sched *haven.Schedule) (*haven.ScheduleView, error) {
	if err := sched.Validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	err := s.store.Update(ctx, func(tx haven.Tx) error {
		if err := usersExist(ctx, tx, scheduleUsers(sched)); err != nil {
			return err
		}
		if err := tx.SaveSchedule(ctx, sched, now); err != nil {
			return err
		}
		return record(ctx, tx, now, u, "schedule.saved", "schedule", sched.Name, 0,
			map[string]any{"layers": len(sched.Layers), "overrides": len(sched.Overrides)})
	})
	return &haven.ScheduleView{Schedule: sched, UpdatedAt: now}, err
}

// AddOverride adds a one-off override to a schedule: leads and admins, or the user who takes
// the shift themself.
func (s *Service) AddOverride(ctx context.Context, name string, o haven.ScheduleOverride) (*haven.ScheduleView, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != haven.RoleLead && !u.IsAdmin() && o.User != u.Username {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only leads and admins set someone else's shift")
	}
	var sched *haven.Schedule
	err = s.store.View(ctx, func(tx haven.Tx) (err error) {
		sched, err = tx.ScheduleByName(ctx, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	sched.Overrides = append(sched.Overrides, o)
	return s.saveSchedule(ctx, u, sched)
}

// scheduler is the acting user, who must be a lead or an admin.
func scheduler(ctx context.Context) (*haven.User, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if u.Role != haven.RoleLead && !u.IsAdmin() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only leads and admins change on-call schedules")
	}
	return u, nil
}

func scheduleUsers(s *haven.Schedule) []string {
	var names []string
	for _, l := range s.Layers {
		names = append(names, l.Users...)
	}
	for _, o := range s.Overrides {
		names = append(names, o.User)
	}
	return uniqueStrings(names)
}

// usersExist refuses a schedule naming someone who is not a user.
func usersExist(ctx context.Context, tx haven.Tx, names []string) error {
	for _, n := range names {
		if _, err := tx.UserByUsername(ctx, n); haven.ErrorCode(err) == haven.ENOTFOUND {
			return &haven.Error{Code: haven.EINVALID, Message: "no user " + n, Fields: map[string]string{"users": "no user " + n}}
		} else if err != nil {
			return err
		}
	}
	return nil
}
