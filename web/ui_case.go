package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/indicator/attack"
)

// caseData is the case page.
type caseData struct {
	Case        *haven.Case
	Timeline    []*haven.TimelineEntry
	Tasks       []*haven.Task
	Attachments map[int64][]*haven.Attachment // by message id (0: on the case)
	Reports     []*haven.Report
	Requester   *haven.RequesterSummary
	// Correspondent is where replies go, and a change of the requester's address awaiting
	// confirmation on a restricted case.
	Correspondent *haven.Correspondent
	// Templates are the reply templates offered in the composer, those that suit the case first;
	// Rendered is the one inserted (?template=ID), for editing before sending.
	Templates []*haven.Template
	Rendered  *haven.Rendered
	// The playbook panel: the playbooks that can be applied (those for the case's categories
	// first), the runs with their progress, and the decisions waiting for an answer.
	Playbooks []playbookChoice
	Runs      []runProgress
	Decisions []*haven.OpenDecision
	// Citations are the article versions the case's decisions cited; Citable the published
	// articles the close form offers to cite.
	Citations []*haven.Citation
	Citable   []citable
	// Plans are the case's response plans; Overdue the ids of its open tasks past their due date.
	Plans   []*haven.Plan
	Overdue map[int64]bool
	// TemplateIDs finds a reply template by name, for the template a playbook task suggests.
	TemplateIDs map[string]int64
	OtherCases  []*haven.Case
	Next        []haven.Status
	Assignees   []string // enabled users' names, for the assignee choice
	// Teams are the teams to choose from, TeamLabel the case's, named in the reader's language.
	Teams      []teamChoice
	TeamLabel  string
	teams      []*haven.Team
	Categories []string
	// CategoryLabels name the case's categories in the reader's language.
	CategoryLabels []string
	// Escalations are the case's escalations to platforms; Alert its open (else latest) emergency
	// page, with its history.
	Escalations []*haven.Escalation
	Alert       *haven.Alert
	// Clocks are the case's SLA clocks (time left or overdue, paused while waiting).
	Clocks []haven.SLAStatus
	// Observables are the values the case sighted, each with the other visible cases sharing it;
	// Intel its ATT&CK techniques and groups, Groups the actors and campaigns to choose from.
	Observables []*haven.CaseObservable
	Intel       *haven.CaseIntel
	Techniques  []attack.Technique
	Groups      []*haven.ThreatGroup
	caseHistory
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d, err := s.loadCase(r, r.PathValue("number"))
	if err != nil {
		return err
	}
	if s.svc.Presence != nil {
		if d.Presence, err = s.svc.Presence.CasePresence(r.Context(), d.Case.Number, ""); err != nil {
			return err
		}
	}
	if err := s.insertTemplate(r, v, d); err != nil {
		return err
	}
	return s.renderCase(w, r, v, d, http.StatusOK)
}

// insertTemplate fills the reply composer with the template chosen in the picker (?template=ID):
// the page works without JavaScript, and the handler edits the text before sending it.
func (s *Server) insertTemplate(r *http.Request, v *view, d *caseData) error {
	id, err := strconv.ParseInt(r.URL.Query().Get("template"), 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	d.Rendered, err = s.svc.Templates.RenderTemplate(r.Context(), d.Case.Number, id, "")
	if haven.ErrorCode(err) == haven.EINVALID {
		v.Alert = v.L.T("case.template_missing")
		return nil
	}
	if err != nil {
		return err
	}
	v.Form = url.Values{"subject": {d.Rendered.Subject}, "text": {d.Rendered.Body},
		"template_id": {strconv.FormatInt(d.Rendered.TemplateID, 10)}, "template_version": {strconv.Itoa(d.Rendered.Version)}}
	return nil
}

// replyTemplates lists the reply templates for the composer: those in the case's language first
// (the store's order), then those that suit one of the case's categories.
func (s *Server) replyTemplates(r *http.Request, c *haven.Case) ([]*haven.Template, error) {
	ts, err := s.svc.Templates.Templates(r.Context(), haven.TemplateFilter{Kind: haven.TemplateReply, Language: c.Language})
	if err != nil {
		return nil, err
	}
	suits := func(t *haven.Template) bool { return slices.ContainsFunc(c.Categories, t.Suits) }
	slices.SortStableFunc(ts, func(a, b *haven.Template) int { return boolRank(suits(b)) - boolRank(suits(a)) })
	return ts, nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, v *view, d *caseData, status int) error {
	labels, err := s.categoryLabels(r, v)
	if err != nil {
		return err
	}
	labelCategories(labels, d)
	d.Teams = namedTeams(d.teams, v.L.Tag())
	d.TeamLabel = teamLabel(d.Teams, d.Case.Team)
	for _, t := range d.Teams {
		labels[teamKey+t.Name] = t.Label // for the history's team changes (wordValue)
	}
	if d.Case.Allowed == nil {
		d.Case.Allowed = &haven.CaseActions{} // offer nothing the service did not say
	}
	history(r, v, d, labels, s.catalog.Localizer(s.catalog.Match(d.Case.Language)))
	for _, f := range editFields {
		d.EditErrors = d.EditErrors || v.Errors[f] != ""
	}
	v.Nav, v.Title, v.Data = "inbox", d.Case.Number+" · "+d.Case.Title, d
	return s.render(w, r, status, "case", v)
}

// labelCategories names the case's categories in the reader's language; a category the taxonomy
// no longer knows keeps its slug.
func labelCategories(labels map[string]string, d *caseData) {
	d.CategoryLabels = d.CategoryLabels[:0]
	for _, slug := range d.Case.Categories {
		d.CategoryLabels = append(d.CategoryLabels, cmp.Or(labels[slug], slug))
	}
}

// categoryLabels maps every category's slug, retired ones too, to its label in the reader's language.
func (s *Server) categoryLabels(r *http.Request, v *view) (map[string]string, error) {
	labels := map[string]string{}
	if s.svc.Categories == nil {
		return labels, nil
	}
	cs, err := s.svc.Categories.Categories(r.Context(), true)
	for _, c := range cs {
		labels[c.Slug] = c.Label(v.L.Tag())
	}
	return labels, err
}

// loadCase reads everything the case page shows, each part through its service; the parts share
// one look-up of the case through the visibility rule (haven.CaseReads).
func (s *Server) loadCase(r *http.Request, number string) (*caseData, error) {
	ctx := haven.WithCaseReads(r.Context())
	c, err := s.svc.Cases.Case(ctx, number)
	if err != nil {
		return nil, err
	}
	d := &caseData{Case: c, Next: c.Status.NextStatuses(), Attachments: map[int64][]*haven.Attachment{}}
	if d.Timeline, err = s.svc.Cases.Timeline(ctx, c.Number); err != nil {
		return nil, err
	}
	if d.Tasks, err = s.svc.Tasks.Tasks(ctx, c.Number); err != nil {
		return nil, err
	}
	if d.Reports, err = s.svc.Reports.Reports(ctx, c.Number); err != nil {
		return nil, err
	}
	atts, err := s.svc.Attachments.Attachments(ctx, c.Number)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		d.Attachments[a.MessageID] = append(d.Attachments[a.MessageID], a)
	}
	if err := s.loadPeople(r, d); err != nil {
		return nil, err
	}
	if s.svc.Templates != nil {
		if d.Templates, err = s.replyTemplates(r, c); err != nil {
			return nil, err
		}
	}
	if s.svc.Playbooks != nil {
		if err := s.loadPlaybooks(r, d); err != nil {
			return nil, err
		}
	}
	if s.svc.Articles != nil {
		if err := s.loadCitations(r, d); err != nil {
			return nil, err
		}
	}
	if s.svc.Plans != nil {
		if d.Plans, err = s.svc.Plans.Plans(ctx, c.Number); err != nil {
			return nil, err
		}
	}
	d.TemplateIDs = map[string]int64{}
	for _, t := range d.Templates {
		d.TemplateIDs[t.Name] = t.ID
	}
	d.Overdue = map[int64]bool{}
	for _, t := range d.Tasks {
		d.Overdue[t.ID] = t.Overdue(time.Now())
	}
	return d, s.loadOutside(r, d)
}

// loadOutside reads the case's dealings beyond the helpline: where replies go, the escalations
// to platforms, and the emergency page.
func (s *Server) loadOutside(r *http.Request, d *caseData) error {
	ctx, number := r.Context(), d.Case.Number
	var err error
	if s.svc.Correspondents != nil {
		if d.Correspondent, err = s.svc.Correspondents.CaseCorrespondent(ctx, number); err != nil {
			return err
		}
	}
	if s.svc.Escalations != nil {
		if d.Escalations, err = s.svc.Escalations.CaseEscalations(ctx, number); err != nil {
			return err
		}
	}
	if s.svc.Alerts != nil {
		if d.Alert, err = s.svc.Alerts.CaseAlert(ctx, number); err != nil {
			return err
		}
	}
	if s.svc.SLA != nil {
		if d.Clocks, err = s.svc.SLA.CaseClocks(ctx, number); err != nil {
			return err
		}
	}
	return s.loadIntel(r, d)
}

// loadIntel reads the case's observables with their correlations, and its tagging.
func (s *Server) loadIntel(r *http.Request, d *caseData) error {
	if s.svc.Observables == nil || s.svc.Intel == nil {
		return nil
	}
	ctx, number := r.Context(), d.Case.Number
	var err error
	if d.Observables, err = s.svc.Observables.CaseObservables(ctx, number); err != nil {
		return err
	}
	if d.Intel, err = s.svc.Intel.CaseIntel(ctx, number); err != nil {
		return err
	}
	d.Techniques = named(d.Intel.Techniques)
	for _, kind := range []string{haven.GroupCampaign, haven.GroupActor} {
		gs, err := s.svc.Intel.Groups(ctx, kind)
		if err != nil {
			return err
		}
		d.Groups = append(d.Groups, gs...)
	}
	return nil
}

// caseConfirmAddress makes a requester's new address the one this case's replies go to.
func (s *Server) caseConfirmAddress(w http.ResponseWriter, r *http.Request, v *view) error {
	_, err := s.svc.Correspondents.ConfirmCorrespondent(r.Context(), r.PathValue("number"))
	return s.afterCaseForm(w, r, v, err, "address_confirmed")
}

// loadPeople reads the requester panel and the choices of the header's selects.
func (s *Server) loadPeople(r *http.Request, d *caseData) error {
	ctx := r.Context()
	var err error
	if d.Case.RequesterID != 0 {
		if d.Requester, err = s.svc.Requesters.RequesterSummary(ctx, d.Case.RequesterID); err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
			return err
		}
		page, err := s.svc.Cases.Cases(ctx, haven.CaseFilter{RequesterID: d.Case.RequesterID, Limit: 20})
		if err != nil {
			return err
		}
		for _, c := range page.Items {
			if c.ID != d.Case.ID {
				d.OtherCases = append(d.OtherCases, c)
			}
		}
	}
	users, err := s.svc.Users.Users(ctx)
	if err != nil {
		return err
	}
	if d.teams, err = s.svc.Users.Teams(ctx); err != nil {
		return err
	}
	for _, u := range users {
		if !u.Disabled {
			d.Assignees = append(d.Assignees, u.Username)
		}
	}
	return nil
}

// caseEdit saves the header fields edited in place. A refused change shows the page again with
// the typed values kept and the errors beside their fields.
func (s *Server) caseEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	up := caseUpdateFromForm(r)
	_, err := s.svc.Cases.UpdateCase(r.Context(), r.PathValue("number"), up)
	return s.afterCaseForm(w, r, v, err, "saved")
}

func caseUpdateFromForm(r *http.Request) haven.CaseUpdate {
	f := r.PostForm
	str := func(k string) *string {
		if _, ok := f[k]; !ok {
			return nil
		}
		s := strings.TrimSpace(f.Get(k))
		return &s
	}
	up := haven.CaseUpdate{Title: str("title"), Summary: str("summary"), Language: str("language"),
		Country: str("country"), Team: str("team"), Assignee: str("assignee")}
	if p := str("priority"); p != nil {
		pr := haven.Priority(*p)
		up.Priority = &pr
	}
	if t := str("tlp"); t != nil {
		tlp := haven.TLP(*t)
		up.TLP = &tlp
	}
	if t := str("tags"); t != nil {
		tags := splitList(*t)
		up.Tags = &tags
	}
	if c := str("categories"); c != nil {
		cats := splitList(*c)
		up.Categories = &cats
	}
	if n, err := strconv.ParseInt(f.Get("version"), 10, 64); err == nil {
		up.Version = &n
	}
	return up
}

// afterCaseForm redirects back to the case after a change, or re-renders it with the error.
func (s *Server) afterCaseForm(w http.ResponseWriter, r *http.Request, v *view, err error, flash string) error {
	return s.afterCaseFormAt(w, r, v, err, flash, "")
}

// afterCaseFormAt is afterCaseForm landing on anchor (a new message's id) after a change. A
// refused change shows the page again with what was typed kept: field errors beside their
// fields, any other reason (not allowed, changed meanwhile) beside the form, in the reader's
// language. A case the user may not see answers as missing, as everywhere.
func (s *Server) afterCaseFormAt(w http.ResponseWriter, r *http.Request, v *view, err error, flash, anchor string) error {
	number := r.PathValue("number")
	code := haven.ErrorCode(err)
	if err == nil {
		return redirectAt(w, r, "/cases/"+number, flash, anchor)
	}
	if code == haven.ENOTFOUND || code == haven.EINTERNAL || code == haven.EUNAUTHORIZED || code == "" || haven.Transient(code) {
		return err // a transient fault's page keeps what was typed, to post it again (ui_unavailable.go)
	}
	d, lerr := s.loadCase(r, number)
	if lerr != nil {
		return lerr
	}
	v.Form, v.Errors, v.Path = r.PostForm, map[string]string{}, "/cases/"+number // the picker returns to the page, not the post
	he, _ := err.(*haven.Error)
	if he != nil {
		for k, m := range he.Fields {
			v.Errors[k] = fieldMessage(v.L, m)
		}
	}
	if len(v.Errors) > 0 {
		v.Alert = v.L.T("form.invalid")
	} else {
		d.Refused = caseFormOf(r)
		v.Errors["form:"+d.Refused] = refusal(v, he, code)
	}
	status := http.StatusUnprocessableEntity
	if code == haven.EFORBIDDEN {
		status = http.StatusForbidden
	}
	return s.renderCase(w, r, v, d, status)
}

// caseFormOf names the case page's form a post came from, where its refusal is shown.
func caseFormOf(r *http.Request) string {
	switch path.Base(r.URL.Path) {
	case "reply":
		return "reply"
	case "note":
		return "note"
	case "status":
		return "status"
	case "links", "unlink", "duplicate":
		return "links"
	}
	return "header"
}

// refusal words why a change was refused: the service's own words in English (they name the
// case and the rule), the kind of refusal in other languages.
func refusal(v *view, he *haven.Error, code string) string {
	if he != nil && v.L.Tag() == "en" {
		return capitalize(he.Message) + "."
	}
	switch code {
	case haven.EFORBIDDEN:
		return v.L.T("error.forbidden")
	case haven.ECONFLICT:
		return v.L.T("error.conflict")
	}
	return v.L.T("form.invalid")
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + strings.TrimSuffix(s[n:], ".")
}

func (s *Server) caseAssignMe(w http.ResponseWriter, r *http.Request, v *view) error {
	_, err := s.svc.Cases.AssignCase(r.Context(), r.PathValue("number"), v.User.Username)
	return s.afterCaseForm(w, r, v, err, "assigned")
}

// caseStatus moves the case; closing asks for the outcome, and a missing one is shown beside
// the outcome field.
func (s *Server) caseStatus(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	t := haven.Transition{To: haven.Status(r.PostForm.Get("to")), Outcome: haven.Outcome(r.PostForm.Get("outcome")),
		Reason: strings.TrimSpace(r.PostForm.Get("reason")), Citations: citationsOf(r.PostForm["cite"])}
	_, err := s.svc.Cases.TransitionCase(r.Context(), r.PathValue("number"), t)
	if he, ok := err.(*haven.Error); ok && he.Fields["outcome"] != "" {
		he.Fields["outcome"] = v.L.T("case.outcome_required")
	}
	return s.afterCaseForm(w, r, v, err, "status")
}

func (s *Server) caseNote(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	if stale, err := s.changedMeanwhile(w, r, v, "note"); stale || err != nil {
		return err
	}
	n, err := s.svc.Notes.AddNote(r.Context(), r.PathValue("number"), haven.NoteCreate{Body: r.PostForm.Get("body"),
		Visibility: r.PostForm.Get("visibility")})
	anchor := ""
	if err == nil {
		anchor = "note-" + strconv.FormatInt(n.ID, 10)
	}
	return s.afterCaseFormAt(w, r, v, fieldAs(err, "text", "body"), "noted", anchor)
}

// caseReply records (and, once email is configured, sends) a reply to the requester.
func (s *Server) caseReply(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	in := haven.MessageCreate{Direction: haven.Outbound, Channel: "email", Subject: strings.TrimSpace(r.PostForm.Get("subject")),
		Text: r.PostForm.Get("text")}
	in.TemplateID, _ = strconv.ParseInt(r.PostForm.Get("template_id"), 10, 64)
	in.TemplateVersion, _ = strconv.Atoi(r.PostForm.Get("template_version"))
	if to := strings.TrimSpace(r.PostForm.Get("to")); to != "" {
		in.To = splitList(to)
	}
	if stale, err := s.changedMeanwhile(w, r, v, "reply"); stale || err != nil {
		return err
	}
	m, err := s.svc.Messages.AddMessage(r.Context(), r.PathValue("number"), in)
	if err != nil {
		return s.afterCaseForm(w, r, v, err, "")
	}
	return s.afterCaseFormAt(w, r, v, nil, sentFlash(m), "m"+strconv.FormatInt(m.ID, 10))
}

// sentFlash says what became of a reply: queued for the relay, or only recorded (by phone, or
// with no relay configured: the page says how to configure one).
func sentFlash(m *haven.Message) string {
	switch {
	case m.Status == haven.MessageQueued:
		return "sent_queued"
	case m.Channel == "email":
		return "sent_no_relay"
	}
	return "sent_recorded"
}

// changedMeanwhile shows the page again, with the text kept, when others added to the case
// since the page the form came from was loaded ("seen", its newest event): the writer sees what
// changed and sends again to confirm. It reports whether it did.
func (s *Server) changedMeanwhile(w http.ResponseWriter, r *http.Request, v *view, form string) (bool, error) {
	seen, err := strconv.ParseInt(r.PostForm.Get("seen"), 10, 64)
	if err != nil || r.PostForm.Get("confirm") != "" {
		return false, nil // an older page or a script: nothing to compare with
	}
	ctx, number := r.Context(), r.PathValue("number")
	c, err := s.svc.Cases.Case(ctx, number)
	if err != nil {
		return false, err
	}
	if may := c.Allowed; may == nil || form == "reply" && !may.Reply || form == "note" && !may.Note {
		return false, nil // the change itself is refused, and says why
	}
	timeline, err := s.svc.Cases.Timeline(ctx, number)
	if err != nil {
		return false, err
	}
	since := map[int64]bool{}
	for _, e := range timeline {
		if e.Event.ID > seen && e.Event.Actor != v.User.Username {
			since[e.Event.ID] = true
		}
	}
	if len(since) == 0 {
		return false, nil
	}
	d, err := s.loadCase(r, number) // the whole page only when it is shown again
	if err != nil {
		return false, err
	}
	d.Since = since
	v.Form, v.Path = r.PostForm, "/cases/"+d.Case.Number
	v.Errors = map[string]string{"form:" + form: v.L.T("case.changed_meanwhile", "Count", int64(len(d.Since)))}
	v.Form.Set("confirm", "1")
	return true, s.renderCase(w, r, v, d, http.StatusConflict)
}

// fieldAs renames a field of a validation error, for a form whose field has another name.
func fieldAs(err error, from, to string) error {
	if he, ok := err.(*haven.Error); ok && he.Fields[from] != "" {
		he.Fields[to] = he.Fields[from]
	}
	return err
}

func (s *Server) caseTaskAdd(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	_, err := s.svc.Tasks.AddTask(r.Context(), r.PathValue("number"), haven.TaskCreate{Title: r.PostForm.Get("title")})
	return s.afterCaseForm(w, r, v, fieldAs(err, "title", "task_title"), "saved")
}

func (s *Server) caseTaskToggle(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such task")
	}
	done := r.FormValue("done") == "true"
	_, err = s.svc.Tasks.UpdateTask(r.Context(), r.PathValue("number"), id, haven.TaskUpdate{Done: &done})
	return s.afterCaseForm(w, r, v, err, "saved")
}

// caseAttachment downloads an attachment: always as a file, never shown in the page (the same
// answer as the API's).
func (s *Server) caseAttachment(w http.ResponseWriter, r *http.Request, v *view) error {
	return s.downloadAttachment(w, r)
}

// playbookChoice is a playbook offered on the case page, titled in the reader's language.
type playbookChoice struct {
	Name, Title string
	Suits       bool // made for one of the case's categories
}

// runProgress is a playbook applied to the case, with how many of its tasks are done.
type runProgress struct {
	*haven.PlaybookRun
	Done, Total int
}

// loadPlaybooks fills the playbook panel.
func (s *Server) loadPlaybooks(r *http.Request, d *caseData) error {
	ctx := r.Context()
	all, err := s.svc.Playbooks.Playbooks(ctx)
	if err != nil {
		return err
	}
	lang := s.localizer(r, userOf(ctx)).Tag()
	for _, p := range all {
		suits := len(p.Categories) > 0 && slices.ContainsFunc(d.Case.Categories, func(c string) bool { return haven.CategoriesSuit(p.Categories, c) })
		d.Playbooks = append(d.Playbooks, playbookChoice{Name: p.Name, Title: titleIn(p.Title, lang, p.Name), Suits: suits})
	}
	slices.SortStableFunc(d.Playbooks, func(a, b playbookChoice) int { return boolRank(b.Suits) - boolRank(a.Suits) })
	runs, err := s.svc.Playbooks.PlaybookRuns(ctx, d.Case.Number)
	if err != nil {
		return err
	}
	for _, run := range runs {
		p := runProgress{PlaybookRun: run}
		for _, t := range d.Tasks {
			if t.RunID == run.ID {
				p.Total++
				p.Done += boolRank(t.Done)
			}
		}
		d.Runs = append(d.Runs, p)
	}
	d.Decisions, err = s.svc.Playbooks.OpenDecisions(ctx, d.Case.Number)
	return err
}

// userOf is the signed-in user of ctx, or nil.
func userOf(ctx context.Context) *haven.User {
	if a, ok := haven.ActorFrom(ctx); ok {
		return a.User
	}
	return nil
}

// titleIn picks a title in lang, English, or else the name.
func titleIn(titles map[string]string, lang, name string) string {
	for _, l := range []string{lang, "en"} {
		if t := titles[l]; t != "" {
			return t
		}
	}
	return name
}

// casePlaybook applies the playbook chosen on the case page.
func (s *Server) casePlaybook(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	_, err := s.svc.Playbooks.ApplyPlaybook(r.Context(), r.PathValue("number"), r.PostForm.Get("playbook"))
	return s.afterCaseForm(w, r, v, err, "playbook")
}

// caseDecision answers a decision of a playbook from the case page.
func (s *Server) caseDecision(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	run, _ := strconv.ParseInt(r.PostForm.Get("run"), 10, 64)
	d := haven.Decision{Run: run, Step: r.PostForm.Get("step"), Answer: r.PostForm.Get("answer")}
	_, err := s.svc.Playbooks.Decide(r.Context(), r.PathValue("number"), d)
	return s.afterCaseForm(w, r, v, err, "decided")
}

// citable is a published article version the close form offers ("slug@version").
type citable struct {
	Value, Title string
}

// loadCitations reads the case's citations and the articles it may cite.
func (s *Server) loadCitations(r *http.Request, d *caseData) error {
	ctx := r.Context()
	var err error
	if d.Citations, err = s.svc.Articles.CaseCitations(ctx, d.Case.Number); err != nil {
		return err
	}
	published, err := s.svc.Articles.Articles(ctx, haven.ArticleFilter{Limit: haven.MaxLimit})
	if err != nil {
		return err
	}
	lang := s.localizer(r, userOf(ctx)).Tag()
	for _, a := range published {
		title := a.Slug
		if v, ok := a.Variants[lang]; ok {
			title = v.Title
		} else if v, ok := a.Variants["en"]; ok {
			title = v.Title
		}
		d.Citable = append(d.Citable, citable{Value: a.Slug + "@" + strconv.Itoa(a.Version), Title: title})
	}
	return nil
}

// citationsOf reads the close form's "slug@version" choices.
func citationsOf(values []string) []haven.Citation {
	var out []haven.Citation
	for _, v := range values {
		slug, ver, ok := strings.Cut(v, "@")
		n, err := strconv.Atoi(ver)
		if ok && err == nil {
			out = append(out, haven.Citation{Article: slug, Version: n})
		}
	}
	return out
}

// casePlanPropose puts the checked tasks up for approval.
func (s *Server) casePlanPropose(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	var ids []int64
	for _, x := range r.PostForm["task"] {
		if id, err := strconv.ParseInt(x, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	_, err := s.svc.Plans.ProposePlan(r.Context(), r.PathValue("number"), haven.PlanInput{Tasks: ids})
	return s.afterCaseForm(w, r, v, fieldAs(err, "tasks", "plan_tasks"), "saved")
}

// casePlanDecide approves or rejects (with a reason) a plan.
func (s *Server) casePlanDecide(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such plan")
	}
	d := haven.PlanDecision{Approve: r.PostForm.Get("decision") == "approve", Reason: r.PostForm.Get("reason")}
	_, err = s.svc.Plans.DecidePlan(r.Context(), r.PathValue("number"), id, d)
	return s.afterCaseForm(w, r, v, fieldAs(err, "reason", "plan_reason"), "saved")
}
