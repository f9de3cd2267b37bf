package haven

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Status is a case's workflow stage. Outcome, priority and TLP are separate fields.
type Status string

const (
	StatusNew               Status = "new"
	StatusTriage            Status = "triage"
	StatusOpen              Status = "open"
	StatusWaitingRequester  Status = "waiting-requester"
	StatusWaitingThirdParty Status = "waiting-third-party"
	StatusResolved          Status = "resolved"
	StatusClosed            Status = "closed"
)

// Statuses lists every status in workflow order.
func Statuses() []Status {
	return []Status{StatusNew, StatusTriage, StatusOpen, StatusWaitingRequester,
		StatusWaitingThirdParty, StatusResolved, StatusClosed}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses(), s) }

// IsOpen reports whether work on the case is still expected.
func (s Status) IsOpen() bool { return s != StatusResolved && s != StatusClosed }

// NextStatuses lists the statuses a case may move to from s. A case may be closed from new or
// triage (spam, duplicate, out of scope) and reopened once resolved or closed.
func (s Status) NextStatuses() []Status {
	switch s {
	case StatusNew:
		return []Status{StatusTriage, StatusOpen, StatusClosed}
	case StatusTriage:
		return []Status{StatusOpen, StatusClosed}
	case StatusOpen:
		return []Status{StatusWaitingRequester, StatusWaitingThirdParty, StatusResolved, StatusClosed}
	case StatusWaitingRequester:
		return []Status{StatusOpen, StatusWaitingThirdParty, StatusResolved, StatusClosed}
	case StatusWaitingThirdParty:
		return []Status{StatusOpen, StatusWaitingRequester, StatusResolved, StatusClosed}
	case StatusResolved:
		return []Status{StatusClosed, StatusOpen}
	case StatusClosed:
		return []Status{StatusOpen}
	}
	return nil
}

// CanMoveTo reports whether the transition s → to is allowed.
func (s Status) CanMoveTo(to Status) bool { return slices.Contains(s.NextStatuses(), to) }

// Priority: P1 is a threat to life; P4 is routine.
type Priority string

const (
	P1 Priority = "P1"
	P2 Priority = "P2"
	P3 Priority = "P3"
	P4 Priority = "P4"
)

// Valid reports whether p is P1…P4.
func (p Priority) Valid() bool { return p == P1 || p == P2 || p == P3 || p == P4 }

// Rank is 1 for P1 … 4 for P4 (stored, so that sorting by priority is numeric).
func (p Priority) Rank() int {
	if !p.Valid() {
		return 0
	}
	return int(p[1] - '0')
}

// PriorityFromRank is the inverse of Rank.
func PriorityFromRank(r int) Priority {
	if r < 1 || r > 4 {
		return ""
	}
	return Priority(fmt.Sprintf("P%d", r))
}

// Outcome is how a case ended.
type Outcome string

// Outcomes lists the recognised outcomes.
func Outcomes() []Outcome {
	return []Outcome{"resolved", "partially-resolved", "not-resolved", "referred", "no-response",
		"duplicate", "spam", "out-of-scope"}
}

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return slices.Contains(Outcomes(), o) }

// TLP is the Traffic Light Protocol marking (FIRST TLP 2.0).
type TLP string

// TLPs lists the TLP 2.0 labels from least to most restricted.
func TLPs() []TLP { return []TLP{"clear", "green", "amber", "amber+strict", "red"} }

// Valid reports whether t is a TLP 2.0 label.
func (t TLP) Valid() bool { return slices.Contains(TLPs(), t) }

// Consent records what the requester agreed to.
type Consent struct {
	Contact          bool `json:"contact"`            // we may contact them back
	ShareWithPartner bool `json:"share_with_partner"` // we may share details with platforms/partners
	Statistics       bool `json:"statistics"`         // anonymised use in reports
}

// Case is one incident being handled.
type Case struct {
	ID               int64      `json:"id"`
	Number           string     `json:"number"`
	Title            string     `json:"title"`
	Summary          string     `json:"summary"`
	Status           Status     `json:"status"`
	Priority         Priority   `json:"priority"`
	Categories       []string   `json:"categories"`
	Tags             []string   `json:"tags"`
	Language         string     `json:"language"`
	Country          string     `json:"country"`
	Region           string     `json:"region"`
	Assignee         string     `json:"assignee"`
	Team             string     `json:"team"`
	Tier             int        `json:"tier"`
	TLP              TLP        `json:"tlp"`
	Consent          Consent    `json:"consent"`
	Compartment      string     `json:"compartment"`
	RestrictedTo     []string   `json:"restricted_to"`
	Restricted       bool       `json:"restricted"` // derived: see Case.IsRestricted
	RequesterID      int64      `json:"requester_id,omitempty"`
	RequesterName    string     `json:"requester_name,omitempty"`
	FirstResponseDue *time.Time `json:"first_response_due,omitempty"`
	ResolutionDue    *time.Time `json:"resolution_due,omitempty"`
	NextUpdateDue    *time.Time `json:"next_update_due,omitempty"` // while that SLA clock runs (set by the service)
	Outcome          Outcome    `json:"outcome"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	// PurgedAt is when the retention policy purged the case's personal data; it is then read-only.
	PurgedAt *time.Time `json:"purged_at,omitempty"`
	Version  int64      `json:"version"`
	// Allowed is what the reader may do on the case now, as the service's own checks decide
	// (set when one case is read; the interface offers only these).
	Allowed *CaseActions `json:"allowed,omitempty"`
	// DuplicateOf names the case this one was merged into, and Links the linked cases, when the
	// reader may see them (set when one case is read; case_link.go).
	DuplicateOf string        `json:"duplicate_of,omitempty"`
	Links       []*LinkedCase `json:"links,omitempty"`
}

// CaseActions are the changes a user may make to a case: each is what the service would accept.
type CaseActions struct {
	Edit   bool `json:"edit"`   // its fields, status, tasks, playbooks, escalations, pages
	Assign bool `json:"assign"` // who it is assigned to
	Reply  bool `json:"reply"`  // write to the requester
	Note   bool `json:"note"`   // add an internal note
}

// IsRestricted reports whether only those with a need to know may see the case: it is in a
// compartment, restricted to named users, or marked TLP:RED.
func (c *Case) IsRestricted() bool {
	return c.Compartment != "" || len(c.RestrictedTo) > 0 || c.TLP == "red"
}

// DueAt is the earliest SLA deadline still relevant, or nil.
func (c *Case) DueAt() *time.Time {
	_, due := c.NextDue()
	return due
}

// NextDue is the most urgent running SLA clock: its target (TargetFirstResponse, ...) and due
// time, or "" and nil when none runs. The inbox shows it and sorts by it.
func (c *Case) NextDue() (string, *time.Time) {
	target, due := "", (*time.Time)(nil)
	for _, k := range []struct {
		target string
		due    *time.Time
	}{{TargetFirstResponse, c.FirstResponseDue}, {TargetNextUpdate, c.NextUpdateDue}, {TargetResolution, c.ResolutionDue}} {
		if k.due != nil && (due == nil || k.due.Before(*due)) {
			target, due = k.target, k.due
		}
	}
	return target, due
}

var caseNumberRE = regexp.MustCompile(`^HV-[0-9]{4}-[0-9]{6,}$`)

// FormatCaseNumber renders a case number: HV-YYYY-NNNNNN.
func FormatCaseNumber(year int, seq int64) string { return fmt.Sprintf("HV-%04d-%06d", year, seq) }

// ValidCaseNumber reports whether s looks like a case number.
func ValidCaseNumber(s string) bool { return caseNumberRE.MatchString(s) }

// Limits on free text, so that one bad request cannot fill the database.
const (
	MaxTitle   = 300
	MaxSummary = 100_000
	MaxBody    = 1_000_000
	MaxTags    = 50
	MaxTag     = 64
)

// CaseCreate is what is needed to open a case.
type CaseCreate struct {
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Priority   Priority `json:"priority"`
	Language   string   `json:"language"`
	Country    string   `json:"country"`
	Region     string   `json:"region"`
	Categories []string `json:"categories"`
	Tags       []string `json:"tags"`
	TLP        TLP      `json:"tlp"`
	Team       string   `json:"team"`
	Assignee   string   `json:"assignee"`
	Tier       int      `json:"tier"`
	Consent    Consent  `json:"consent"`
	// Compartment and RestrictedTo restrict the case to those who need to know.
	Compartment  string          `json:"compartment"`
	RestrictedTo []string        `json:"restricted_to"`
	Requester    *RequesterInput `json:"requester"`
	// RequesterID links an existing requester instead of Requester.
	RequesterID int64 `json:"requester_id"`
	// Channel and ExternalID describe the report that opened the case (default: api).
	Channel    string `json:"channel"`
	ExternalID string `json:"external_id"`
}

// Normalize trims and defaults fields in place.
func (c *CaseCreate) Normalize() {
	c.Title = strings.TrimSpace(c.Title)
	c.Summary = strings.TrimSpace(c.Summary)
	c.Language = strings.TrimSpace(c.Language)
	c.Country = strings.ToUpper(strings.TrimSpace(c.Country))
	c.Tags = NormalizeTags(c.Tags)
	c.Categories = NormalizeTags(c.Categories)
	if c.Priority == "" {
		c.Priority = P3
	}
	if c.TLP == "" {
		c.TLP = "amber"
	}
	if c.Tier == 0 {
		c.Tier = 1
	}
	if c.Channel == "" {
		c.Channel = "api"
	}
}

// Validate checks a normalised CaseCreate.
func (c *CaseCreate) Validate() error {
	v := Validation{}
	draft := Case{Title: c.Title, Summary: c.Summary, Priority: c.Priority, TLP: c.TLP, Tier: c.Tier,
		Language: c.Language, Country: c.Country, Tags: c.Tags, Categories: c.Categories}
	draft.validate(v)
	v.Check(validChannel(c.Channel), "channel", "must be one of api, email, web, phone, signal, other")
	if c.Requester != nil {
		c.Requester.validate(v, "requester.")
	}
	return v.Err()
}

// CaseUpdate changes some fields of a case; nil pointers leave a field as it is.
type CaseUpdate struct {
	Title            *string    `json:"title"`
	Summary          *string    `json:"summary"`
	Priority         *Priority  `json:"priority"`
	Language         *string    `json:"language"`
	Country          *string    `json:"country"`
	Region           *string    `json:"region"`
	TLP              *TLP       `json:"tlp"`
	Tier             *int       `json:"tier"`
	Team             *string    `json:"team"`
	Assignee         *string    `json:"assignee"`
	Tags             *[]string  `json:"tags"`
	AddTags          []string   `json:"add_tags"`
	RemoveTags       []string   `json:"remove_tags"`
	Categories       *[]string  `json:"categories"`
	Consent          *Consent   `json:"consent"`
	Compartment      *string    `json:"compartment"`
	RestrictedTo     *[]string  `json:"restricted_to"`
	FirstResponseDue *time.Time `json:"first_response_due"`
	ResolutionDue    *time.Time `json:"resolution_due"`
	// Version, when set, must match the case's current version (optimistic locking).
	Version *int64 `json:"version"`
}

// Apply changes c in place and returns the names of the fields that changed.
func (u *CaseUpdate) Apply(c *Case) (changed []string) {
	set := func(name string, differs bool, assign func()) {
		if differs {
			assign()
			changed = append(changed, name)
		}
	}
	if u.Title != nil {
		t := strings.TrimSpace(*u.Title)
		set("title", t != c.Title, func() { c.Title = t })
	}
	if u.Summary != nil {
		s := strings.TrimSpace(*u.Summary)
		set("summary", s != c.Summary, func() { c.Summary = s })
	}
	if u.Priority != nil {
		set("priority", *u.Priority != c.Priority, func() { c.Priority = *u.Priority })
	}
	if u.Language != nil {
		set("language", *u.Language != c.Language, func() { c.Language = *u.Language })
	}
	if u.Country != nil {
		cc := strings.ToUpper(strings.TrimSpace(*u.Country))
		set("country", cc != c.Country, func() { c.Country = cc })
	}
	if u.Region != nil {
		set("region", *u.Region != c.Region, func() { c.Region = *u.Region })
	}
	if u.TLP != nil {
		set("tlp", *u.TLP != c.TLP, func() { c.TLP = *u.TLP })
	}
	if u.Tier != nil {
		set("tier", *u.Tier != c.Tier, func() { c.Tier = *u.Tier })
	}
	if u.Team != nil {
		set("team", *u.Team != c.Team, func() { c.Team = *u.Team })
	}
	if u.Assignee != nil {
		set("assignee", *u.Assignee != c.Assignee, func() { c.Assignee = *u.Assignee })
	}
	tags := u.newTags(c.Tags)
	set("tags", !slices.Equal(tags, c.Tags), func() { c.Tags = tags })
	if u.Categories != nil {
		cats := NormalizeTags(*u.Categories)
		set("categories", !slices.Equal(cats, c.Categories), func() { c.Categories = cats })
	}
	if u.Consent != nil {
		set("consent", *u.Consent != c.Consent, func() { c.Consent = *u.Consent })
	}
	if u.Compartment != nil {
		comp := strings.TrimSpace(*u.Compartment)
		set("compartment", comp != c.Compartment, func() { c.Compartment = comp })
	}
	if u.RestrictedTo != nil {
		names := NormalizeTags(*u.RestrictedTo)
		set("restricted_to", !slices.Equal(names, c.RestrictedTo), func() { c.RestrictedTo = names })
	}
	if u.FirstResponseDue != nil {
		set("first_response_due", !sameTime(c.FirstResponseDue, u.FirstResponseDue),
			func() { c.FirstResponseDue = u.FirstResponseDue })
	}
	if u.ResolutionDue != nil {
		set("resolution_due", !sameTime(c.ResolutionDue, u.ResolutionDue),
			func() { c.ResolutionDue = u.ResolutionDue })
	}
	return changed
}

func (u *CaseUpdate) newTags(current []string) []string {
	tags := current
	if u.Tags != nil {
		tags = *u.Tags
	}
	tags = append(slices.Clone(tags), u.AddTags...)
	remove := NormalizeTags(u.RemoveTags)
	tags = slices.DeleteFunc(NormalizeTags(tags), func(t string) bool { return slices.Contains(remove, t) })
	if tags == nil {
		tags = []string{}
	}
	return tags
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// Validate checks a case after an update has been applied.
func (c *Case) Validate() error {
	v := Validation{}
	c.validate(v)
	return v.Err()
}

// validate records the field errors of the fields a case and a CaseCreate share.
func (c *Case) validate(v Validation) {
	v.Check(c.Title != "", "title", "a title is required")
	v.Check(len(c.Title) <= MaxTitle, "title", fmt.Sprintf("at most %d bytes", MaxTitle))
	v.Check(len(c.Summary) <= MaxSummary, "summary", fmt.Sprintf("at most %d bytes", MaxSummary))
	v.Check(c.Priority.Valid(), "priority", "must be one of P1, P2, P3, P4")
	v.Check(c.TLP.Valid(), "tlp", "must be one of clear, green, amber, amber+strict, red")
	v.Check(c.Tier == 1 || c.Tier == 2, "tier", "must be 1 or 2")
	v.Check(validLanguage(c.Language), "language", "must be a language tag such as en, fr, ar")
	v.Check(validCountry(c.Country), "country", "must be a two-letter ISO country code")
	validateTags(v, "tags", c.Tags)
	validateCategories(v, c.Categories)
}

// Transition moves a case to another status.
type Transition struct {
	To      Status  `json:"to"`
	Outcome Outcome `json:"outcome"`
	Reason  string  `json:"reason"`
	// Citations are the knowledge-base article versions the decision relies on.
	Citations []Citation `json:"citations,omitempty"`
}

// Check validates the transition of c and returns a coded error: EINVALID for bad input,
// ECONFLICT (with the allowed targets) when the workflow does not allow it.
func (t Transition) Check(c *Case) error {
	if !t.To.Valid() {
		return &Error{Code: EINVALID, Message: "unknown status", Fields: map[string]string{"to": "unknown status"},
			Allowed: statusStrings(c.Status.NextStatuses())}
	}
	if t.Outcome != "" && !t.Outcome.Valid() {
		return &Error{Code: EINVALID, Message: "unknown outcome",
			Fields: map[string]string{"outcome": "must be one of " + joinOutcomes()}}
	}
	if !c.Status.CanMoveTo(t.To) {
		return &Error{Code: ECONFLICT, Allowed: statusStrings(c.Status.NextStatuses()),
			Message: fmt.Sprintf("a %s case cannot move to %s", c.Status, t.To)}
	}
	if t.To == StatusClosed && t.Outcome == "" && c.Outcome == "" {
		return &Error{Code: EINVALID, Message: "closing a case needs an outcome",
			Fields: map[string]string{"outcome": "required when closing: " + joinOutcomes()}}
	}
	return nil
}

// Apply performs a checked transition on c at now.
func (t Transition) Apply(c *Case, now time.Time) {
	c.Status = t.To
	if t.Outcome != "" {
		c.Outcome = t.Outcome
	}
	switch t.To {
	case StatusClosed:
		c.ClosedAt = &now
	case StatusOpen, StatusTriage:
		c.ClosedAt = nil
		c.Outcome = ""
	}
}

func statusStrings(ss []Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

func joinOutcomes() string {
	var parts []string
	for _, o := range Outcomes() {
		parts = append(parts, string(o))
	}
	return strings.Join(parts, ", ")
}

// CaseSort orders case lists.
type CaseSort string

const (
	SortUpdated  CaseSort = "updated"  // most recently updated first
	SortPriority CaseSort = "priority" // P1 first, then most recently updated
	SortDue      CaseSort = "due"      // earliest SLA due first, cases without one last
	SortCreated  CaseSort = "created"  // newest first
)

// Valid reports whether s is a known sort order.
func (s CaseSort) Valid() bool {
	return s == SortUpdated || s == SortPriority || s == SortDue || s == SortCreated
}

// CaseFilter selects cases. Zero values do not filter.
type CaseFilter struct {
	Status      []Status
	Priority    []Priority
	Assignee    string // a username, "me" or "none"
	Team        string // a team name, or "mine": the viewer's teams
	Category    string
	Tag         string
	RequesterID int64
	Text        string // full-text query
	OpenOnly    bool
	// OverdueTasks keeps the cases with an open task past its due date.
	OverdueTasks bool `json:"overdue_tasks,omitempty"`
	// BreachingSoon keeps the cases with an SLA target due within BreachingWindow, or past it.
	BreachingSoon bool `json:"breaching_soon,omitempty"`
	Sort          CaseSort
	// Reverse reads the sort the other way (P4 first, oldest first, latest due first): every
	// sort key flips, so the same index serves it, scanned backwards.
	Reverse bool   `json:"reverse,omitempty"`
	Cursor  string // opaque keyset cursor from a previous page
	Limit   int
	Brief   bool // leave the summaries out: for lists that do not show them

	// Set by the service, not by callers: whose view this is (need-to-know is filtered in SQL),
	// and the teams "mine" stands for.
	Viewer Viewer   `json:"-"`
	Teams  []string `json:"-"`
}

// CountCap bounds queue counts: a count is exact up to it, and shown as "CountCap+" beyond, so
// that counting a huge queue never costs more than reading CountCap index entries.
const CountCap = 1000

// Viewer is who reads: the store shows restricted cases only to those entitled to them.
type Viewer struct {
	UserID int64
	Lead   bool      // leads see the restricted cases of their teams (sqldb's visibility)
	Now    time.Time // time-boxed grants expire
	// NoBreakGlass leaves break-glass openings out: what the viewer sees by right.
	NoBreakGlass bool
}

// BreachingWindow is how close to its due time a case is "breaching soon".
const BreachingWindow = 2 * time.Hour

// Page size bounds.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Normalize applies defaults and bounds.
func (f *CaseFilter) Normalize() error {
	v := Validation{}
	if f.Sort == "" {
		f.Sort = SortUpdated
	}
	v.Check(f.Sort.Valid(), "sort", "must be one of updated, priority, due, created")
	if f.Limit <= 0 {
		f.Limit = DefaultLimit
	}
	v.Check(f.Limit <= MaxLimit, "limit", fmt.Sprintf("at most %d", MaxLimit))
	for _, s := range f.Status {
		v.Check(s.Valid(), "status", "unknown status "+string(s))
	}
	for _, p := range f.Priority {
		v.Check(p.Valid(), "priority", "must be one of P1, P2, P3, P4")
	}
	v.Check(len(f.Text) <= 500, "q", "at most 500 bytes")
	return v.Err()
}

// CasePage is one page of a case list; Next is empty on the last page.
type CasePage struct {
	Items []*Case `json:"items"`
	Next  string  `json:"next"`
	// Prev is the cursor of the page before, empty on the first page.
	Prev string `json:"prev,omitempty"`
}

// CaseService is what the web layer and CLI use to work on cases.
type CaseService interface {
	CreateCase(ctx context.Context, in CaseCreate) (*Case, error)
	Case(ctx context.Context, number string) (*Case, error)
	Cases(ctx context.Context, f CaseFilter) (*CasePage, error)
	UpdateCase(ctx context.Context, number string, u CaseUpdate) (*Case, error)
	AssignCase(ctx context.Context, number, username string) (*Case, error)
	TransitionCase(ctx context.Context, number string, t Transition) (*Case, error)
	Timeline(ctx context.Context, number string) ([]*TimelineEntry, error)
	// CountCases counts the cases of each named filter the user may see, each at most CountCap.
	CountCases(ctx context.Context, filters map[string]CaseFilter) (map[string]int, error)
	CaseLinkService
}

// CaseStore is what the service layer needs from storage for cases.
type CaseStore interface {
	// NextCaseNumber allocates the next number for year; safe under concurrent transactions.
	NextCaseNumber(ctx context.Context, year int) (string, error)
	InsertCase(ctx context.Context, c *Case) error
	CaseByNumber(ctx context.Context, number string) (*Case, error)
	CaseByID(ctx context.Context, id int64) (*Case, error)
	// UpdateCase writes c when its stored version equals c.Version, then increments it.
	UpdateCase(ctx context.Context, c *Case) error
	FindCases(ctx context.Context, f CaseFilter) (*CasePage, error)
	// CountCases counts the cases matching f, up to limit.
	CountCases(ctx context.Context, f CaseFilter, limit int) (int, error)
	// IndexCase replaces the case's own search text (title and summary, normalised; only number,
	// categories and tags for a restricted case).
	IndexCase(ctx context.Context, c *Case) error
	// CaseVisible reports whether the viewer may see the case (need-to-know).
	CaseVisible(ctx context.Context, caseID int64, v Viewer) (bool, error)
	// SeesRestricted reports whether the viewer may see some restricted case: one assigned to
	// them, in one of their compartments, opened to them (a grant, break-glass, restricted_to),
	// or, for a lead, any TLP:RED case. Viewers who may not see the same cases: the unrestricted.
	SeesRestricted(ctx context.Context, v Viewer) (bool, error)
	// AppendCaseText sets one part (e.g. "note:12") of the case's search document.
	AppendCaseText(ctx context.Context, caseID int64, part, text string) error
	// AppendCaseTerms is AppendCaseText with the text already turned into Store.SearchTerms.
	AppendCaseTerms(ctx context.Context, caseID int64, part, terms string) error
	CaseLinkStore
}

var languageRE = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

func validLanguage(s string) bool { return s == "" || languageRE.MatchString(s) }

func validCountry(s string) bool {
	if s == "" {
		return true
	}
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

func validChannel(s string) bool {
	return slices.Contains([]string{"api", "email", "web", "phone", "signal", "other"}, s)
}

// NormalizeTags lower-cases, trims, sorts and de-duplicates tags.
func NormalizeTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

var tagRE = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}._+-]*$`)

func validateTags(v Validation, field string, tags []string) {
	v.Check(len(tags) <= MaxTags, field, fmt.Sprintf("at most %d", MaxTags))
	for _, t := range tags {
		if len(t) > MaxTag || !tagRE.MatchString(t) {
			v.Add(field, fmt.Sprintf("%q: letters, digits, . _ + - only, at most %d bytes", t, MaxTag))
		}
	}
}
