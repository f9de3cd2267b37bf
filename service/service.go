// Package service holds Haven's use cases. Each runs in one transaction with one "now", checks
// authorization itself (never trusting the caller), and records an event for every change in that
// same transaction.
package service

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
	"github.com/haven-helpline/haven/markdown"
)

// Config tunes the service layer.
type Config struct {
	// SessionTTL is how long a browser login lasts.
	SessionTTL time.Duration
	// SLA gives, per priority, how soon the first response and the resolution are due.
	SLA map[haven.Priority]SLATarget
	// Files stores attachments encrypted; without it, attachments are refused.
	Files haven.FileVault
	// Classify flags a suspicious file (executable, macro document, archive, lying name) and says
	// why; nil flags nothing.
	Classify func(filename, declaredType string, data []byte) (suspicious bool, reason string)
	// SendEmail queues outbound email replies for the sender job instead of only recording them.
	SendEmail bool
	// Acknowledge, when set (and SendEmail is), writes the automatic acknowledgement of a new case
	// opened by email, in the case's language.
	Acknowledge func(language, number, title string) (subject, text string)
	// RevokeTokensOnSignOut makes "sign out everywhere" and every password change (one's own or an
	// admin's reset) revoke the user's API tokens too, not only their browser sessions: whoever
	// took over an account cannot keep a way in through a token. On by default.
	RevokeTokensOnSignOut bool
	// HelplineName fills templates' {helpline_name}.
	HelplineName string
	// EscalationReminderEvery is how often an escalation's owner is reminded, once the platform's
	// response target has passed without an answer.
	EscalationReminderEvery time.Duration
	// EscalationGiveUpAfter is how long after sending an unanswered escalation becomes no-response.
	EscalationGiveUpAfter time.Duration
	// PublicURL is Haven's address as users reach it (https://haven.example.org): pages carry
	// acknowledge links and case links under it; without it they carry none.
	PublicURL string
	// SLAWarnAt is the share of a target after which the assignee (or the team's leads) is warned.
	SLAWarnAt float64
	// StatsFromCases makes every statistic count the cases themselves, never the per-day
	// roll-ups (the roll-ups' equivalence test compares both).
	StatsFromCases bool
	// PhoneRegion is the country (ISO 3166 alpha-2) whose phone numbers people write without a
	// country code; "" finds only international numbers (+…) as observables.
	PhoneRegion string
}

// SLATarget is a priority's targets, in business time (the team's calendar; P1 runs 24/7):
// the first response and the resolution from creation, and the next update from each reply.
type SLATarget struct {
	FirstResponse time.Duration
	NextUpdate    time.Duration
	Resolution    time.Duration
}

// DefaultConfig returns the settings an experienced helpline starts from.
func DefaultConfig() Config {
	return Config{
		SessionTTL:              12 * time.Hour,
		RevokeTokensOnSignOut:   true,
		HelplineName:            "the helpline",
		EscalationReminderEvery: 48 * time.Hour,
		EscalationGiveUpAfter:   14 * 24 * time.Hour,
		SLA: map[haven.Priority]SLATarget{
			haven.P1: {FirstResponse: 15 * time.Minute, NextUpdate: time.Hour, Resolution: 24 * time.Hour},
			haven.P2: {FirstResponse: 2 * time.Hour, NextUpdate: 24 * time.Hour, Resolution: 72 * time.Hour},
			haven.P3: {FirstResponse: 24 * time.Hour, NextUpdate: 72 * time.Hour, Resolution: 14 * 24 * time.Hour},
			haven.P4: {FirstResponse: 72 * time.Hour, NextUpdate: 7 * 24 * time.Hour, Resolution: 30 * 24 * time.Hour},
		},
		SLAWarnAt: 0.75,
	}
}

// Service implements every haven.XxxService over a haven.Store.
type Service struct {
	store haven.Store
	clock haven.Clock
	cfg   Config
	lists *listCache // nil when the store cannot tell when data changes (listcache.go)
	reads *userReads // what every signed-in page reads first, kept like the lists (keptreads.go)
	md    *markdown.Renderer
	words func() (*i18n.Catalog, error) // the catalogs, parsed on first use: staff emails in their language
	intel *extractors                   // observable extraction with the current allow-list
}

// New builds the service layer.
func New(store haven.Store, clock haven.Clock, cfg Config) *Service {
	if clock == nil {
		clock = haven.SystemClock{}
	}
	return &Service{store: store, clock: clock, cfg: cfg, lists: newListCache(store), reads: &userReads{}, md: markdown.New(),
		words: sync.OnceValues(i18n.Load), intel: &extractors{}}
}

var (
	_ haven.CaseService       = (*Service)(nil)
	_ haven.RequesterService  = (*Service)(nil)
	_ haven.NoteService       = (*Service)(nil)
	_ haven.TaskService       = (*Service)(nil)
	_ haven.MessageService    = (*Service)(nil)
	_ haven.ReportService     = (*Service)(nil)
	_ haven.UserService       = (*Service)(nil)
	_ haven.AuthService       = (*Service)(nil)
	_ haven.TemplateService   = (*Service)(nil)
	_ haven.PlaybookService   = (*Service)(nil)
	_ haven.ArticleService    = (*Service)(nil)
	_ haven.CategoryService   = (*Service)(nil)
	_ haven.PlatformService   = (*Service)(nil)
	_ haven.PlanService       = (*Service)(nil)
	_ haven.EscalationService = (*Service)(nil)
	_ haven.AlertService      = (*Service)(nil)
	_ haven.ScheduleService   = (*Service)(nil)
)

// reader returns the acting user, who must be signed in and enabled.
func reader(ctx context.Context) (*haven.User, error) {
	a, ok := haven.ActorFrom(ctx)
	if !ok {
		return nil, haven.Errorf(haven.EUNAUTHORIZED, "sign in first")
	}
	if a.User.Disabled {
		return nil, haven.Errorf(haven.EUNAUTHORIZED, "this account is disabled")
	}
	if a.User.MustChangePassword {
		return nil, mustChangePassword()
	}
	if a.MustEnrol {
		return nil, haven.Errorf(haven.EFORBIDDEN, "two-factor authentication is mandatory here: set up an authenticator app under My account first")
	}
	return a.User, nil
}

// mustChangePassword refuses everything to an account whose password was given out once, until
// its owner has chosen their own.
func mustChangePassword() error {
	return haven.Errorf(haven.EPASSWORDCHANGE,
		"this account's password was given out once (by an admin or the console): sign in to the web interface and set a new password first")
}

// writer returns the acting user, who must also be allowed to change things.
func writer(ctx context.Context) (*haven.User, error) {
	u, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if a, _ := haven.ActorFrom(ctx); a.ReadOnly {
		return nil, haven.Errorf(haven.EFORBIDDEN, "this API token is read-only")
	}
	if !u.CanWrite() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "your role (%s) cannot change anything", u.Role)
	}
	return u, nil
}

// admin returns the acting user, who must be an admin.
func admin(ctx context.Context) (*haven.User, error) {
	u, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	if !u.IsAdmin() {
		return nil, haven.Errorf(haven.EFORBIDDEN, "only admins can do this")
	}
	return u, nil
}

// record appends an event for a change made by actor in tx. data holds references, codes and
// field names only: the event is hash-chained and can never be purged.
func record(ctx context.Context, tx haven.Tx, at time.Time, actor *haven.User, action, objType string, objID any, caseID int64, data map[string]any) error {
	return recordDetail(ctx, tx, at, actor, action, objType, objID, caseID, data, nil)
}

// recordDetail is record with free text (a reason, a title) kept as the event's detail: stored
// encrypted apart from the chain and destroyed with the case's personal data.
func recordDetail(ctx context.Context, tx haven.Tx, at time.Time, actor *haven.User, action, objType string, objID any, caseID int64, data, detail map[string]any) error {
	e := &haven.Event{At: at, Action: action, ObjectType: objType, ObjectID: fmt.Sprint(objID),
		CaseID: caseID, Data: data, Detail: detail, ClientIP: haven.ClientIPFrom(ctx)}
	if actor != nil {
		e.ActorID, e.Actor = actor.ID, actor.Username
	}
	return tx.InsertEvent(ctx, e)
}

// readCase runs read in a read-only transaction on the case named number. Reading a restricted
// case is recorded in the audit trail. Within a page (haven.CaseReads in ctx) the case is looked up
// through the visibility rule, and its view audited, once for all the page's parts.
func readCase[T any](ctx context.Context, s *Service, number string, read func(tx haven.Tx, c *haven.Case) (T, error)) (T, error) {
	var out T
	u, err := reader(ctx)
	if err != nil {
		return out, err
	}
	reads := haven.CaseReadsFrom(ctx)
	var restricted *haven.Case
	err = s.store.View(ctx, func(tx haven.Tx) error {
		c := reads.Case(u.ID, number)
		if c == nil {
			if c, err = s.caseByNumber(ctx, tx, u, number); err != nil {
				return err
			}
			reads.Keep(u.ID, number, c)
		}
		if c.Restricted {
			restricted = c
		}
		out, err = read(tx, c)
		return err
	})
	if err == nil && restricted != nil && reads.FirstView(u.ID, restricted.ID) {
		err = s.store.Update(ctx, func(tx haven.Tx) error {
			return record(ctx, tx, s.clock.Now(), u, "case.viewed", "case", restricted.Number, restricted.ID, nil)
		})
	}
	return out, err
}

// changeCase runs change in one write transaction on the case named number, after checking that
// the acting user may edit it. now is the use case's single "now".
func changeCase[T any](ctx context.Context, s *Service, number string, change func(tx haven.Tx, u *haven.User, c *haven.Case, now time.Time) (T, error)) (T, error) {
	var out T
	u, err := writer(ctx)
	if err != nil {
		return out, err
	}
	now := s.clock.Now()
	err = s.store.Update(ctx, func(tx haven.Tx) error {
		c, err := s.editCase(ctx, tx, u, number)
		if err != nil {
			return err
		}
		out, err = change(tx, u, c, now)
		return err
	})
	return out, err
}

// localizer words staff emails (pages, notifications) in lang, the reader's chosen language.
func (s *Service) localizer(lang string) (*i18n.Localizer, error) {
	cat, err := s.words()
	if err != nil {
		return nil, haven.Errorf(haven.EINTERNAL, "language catalogs: %v", err)
	}
	return cat.Localizer(lang), nil
}
