package web

import (
	"cmp"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/indicator/attack"
)

func (s *Server) intelRoutes() {
	for _, p := range []struct {
		pattern string
		h       uiFunc
	}{
		{"GET /intel", s.intelPage},
		{"POST /intel/import", s.intelImport},
		{"POST /intel/allowlist", s.allowListSave},
		{"POST /intel/campaigns", s.groupCreate(haven.GroupCampaign)},
		{"POST /intel/actors", s.groupCreate(haven.GroupActor)},
		{"GET /campaigns/{id}", s.groupPage(haven.GroupCampaign)},
		{"POST /campaigns/{id}", s.groupSave(haven.GroupCampaign)},
		{"GET /actors/{id}", s.groupPage(haven.GroupActor)},
		{"POST /actors/{id}", s.groupSave(haven.GroupActor)},
		{"GET /observables/{id}", s.observablePage},
		{"POST /observables/{id}", s.observableJudge},
		{"POST /cases/{number}/intel", s.caseIntelSave},
		{"GET /cases/{number}/export", s.exportPreview},
		{"GET /cases/{number}/export/download", s.exportDownload},
		{"GET /campaigns/{id}/export", s.exportPreview},
		{"GET /campaigns/{id}/export/download", s.exportDownload},
	} {
		s.mux.Handle(p.pattern, s.page(false, p.h))
	}
}

// intelData is the threat-intelligence page: a value lookup, the campaigns and actors, the
// import form and the allow-list.
type intelData struct {
	Query     string
	Type      string
	Found     []*haven.Observable
	Searched  bool
	Campaigns []*haven.ThreatGroup
	Actors    []*haven.ThreatGroup
	AllowList *haven.AllowList
	Imported  *haven.ImportResult
}

func (s *Server) intelPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d := &intelData{Query: r.URL.Query().Get("q"), Type: r.URL.Query().Get("type")}
	if d.Query != "" {
		var err error
		d.Searched = true
		if d.Found, err = s.svc.Observables.FindObservables(r.Context(), haven.ObservableFilter{Q: d.Query, Type: d.Type}); err != nil && !refused(v, r, err) {
			return err
		}
	}
	return s.renderIntel(w, r, v, d, http.StatusOK)
}

func (s *Server) renderIntel(w http.ResponseWriter, r *http.Request, v *view, d *intelData, status int) error {
	var err error
	if d.Campaigns, err = s.svc.Intel.Groups(r.Context(), haven.GroupCampaign); err != nil {
		return err
	}
	if d.Actors, err = s.svc.Intel.Groups(r.Context(), haven.GroupActor); err != nil {
		return err
	}
	if d.AllowList, err = s.svc.Observables.AllowList(r.Context()); err != nil {
		return err
	}
	if r.Method != http.MethodGet {
		v.Path = "/intel" // the page a form's answer stands for (the language picker goes back to it)
	}
	v.Nav, v.Title, v.Data = "intel", v.L.T("intel.title"), d
	return s.render(w, r, status, "intel", v)
}

// intelImport takes a partner's feed from a file or pasted text.
func (s *Server) intelImport(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseMultipartForm(haven.MaxImport); err != nil {
		return haven.Errorf(haven.EINVALID, "the feed is not a readable upload (at most %d MB)", haven.MaxImport>>20)
	}
	body := []byte(r.PostForm.Get("body"))
	if f, _, err := r.FormFile("file"); err == nil {
		body, err = io.ReadAll(io.LimitReader(f, haven.MaxImport+1))
		_ = f.Close() // read to the end: nothing is lost when closing fails
		if err != nil {
			return haven.Errorf(haven.EINVALID, "could not read the uploaded feed")
		}
	}
	res, err := s.svc.Intel.Import(r.Context(), r.PostForm.Get("source"), body)
	d := &intelData{Imported: res}
	if err == nil {
		v.Flash = v.L.T("intel.imported", "Count", res.Indicators, "Flagged", res.Flagged)
		return s.renderIntel(w, r, v, d, http.StatusOK)
	}
	if !refused(v, r, err) {
		return err
	}
	v.Form.Del("body") // a feed can be megabytes: it is not echoed back
	return s.renderIntel(w, r, v, d, http.StatusUnprocessableEntity)
}

// allowListSave replaces the allow-list from a textarea, one domain per line.
func (s *Server) allowListSave(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	_, err := s.svc.Observables.SetAllowList(r.Context(), strings.Fields(r.PostForm.Get("domains")))
	if err == nil {
		return redirect(w, r, "/intel#allowlist", "saved")
	}
	if !refused(v, r, err) {
		return err
	}
	return s.renderIntel(w, r, v, &intelData{}, http.StatusUnprocessableEntity)
}

// groupInput reads an actor's or a campaign's form.
func groupInput(r *http.Request) (haven.GroupInput, error) {
	if err := r.ParseForm(); err != nil {
		return haven.GroupInput{}, haven.Errorf(haven.EINVALID, "bad form")
	}
	f := r.PostForm
	in := haven.GroupInput{Name: f.Get("name"), Description: f.Get("description"), TLP: haven.TLP(f.Get("tlp")),
		ActorKind: f.Get("actor_kind"), Aliases: splitLines(f.Get("aliases")), Techniques: splitLines(f.Get("techniques"))}
	for _, a := range f["actors"] {
		if id, err := strconv.ParseInt(a, 10, 64); err == nil {
			in.Actors = append(in.Actors, id)
		}
	}
	return in, nil
}

// splitLines reads a comma- or line-separated list.
func splitLines(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (s *Server) groupCreate(kind string) uiFunc {
	return func(w http.ResponseWriter, r *http.Request, v *view) error {
		in, err := groupInput(r)
		if err != nil {
			return err
		}
		g, err := s.svc.Intel.CreateGroup(r.Context(), kind, in)
		if err == nil {
			return redirect(w, r, groupURL(g), "saved")
		}
		if !refused(v, r, err) {
			return err
		}
		v.Form.Set("kind", kind)
		return s.renderIntel(w, r, v, &intelData{}, http.StatusUnprocessableEntity)
	}
}

func groupURL(g *haven.ThreatGroup) string {
	return "/" + g.Kind + "s/" + strconv.FormatInt(g.ID, 10)
}

// groupData is an actor's or a campaign's page.
type groupData struct {
	Group      *haven.GroupView
	Actors     []*haven.ThreatGroup // for a campaign's attribution
	Techniques []attack.Technique   // the group's and its cases', named
}

func (s *Server) groupPage(kind string) uiFunc {
	return func(w http.ResponseWriter, r *http.Request, v *view) error {
		flashFrom(r, v)
		return s.renderGroup(w, r, v, kind, http.StatusOK)
	}
}

func (s *Server) renderGroup(w http.ResponseWriter, r *http.Request, v *view, kind string, status int) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such %s", kind)
	}
	d := &groupData{}
	if d.Group, err = s.svc.Intel.Group(r.Context(), kind, id); err != nil {
		return err
	}
	if kind == haven.GroupCampaign {
		if d.Actors, err = s.svc.Intel.Groups(r.Context(), haven.GroupActor); err != nil {
			return err
		}
	}
	d.Techniques = named(append(append([]string{}, d.Group.ThreatGroup.Techniques...), d.Group.Techniques...))
	v.Nav, v.Title, v.Data = "intel", d.Group.Name, d
	return s.render(w, r, status, "group", v)
}

// named looks ATT&CK ids up, once each, in order.
func named(ids []string) []attack.Technique {
	var out []attack.Technique
	seen := map[string]bool{}
	for _, id := range ids {
		if t, ok := attack.Lookup(id); ok && !seen[t.ID] {
			seen[t.ID] = true
			out = append(out, t)
		}
	}
	return out
}

func (s *Server) groupSave(kind string) uiFunc {
	return func(w http.ResponseWriter, r *http.Request, v *view) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return haven.Errorf(haven.ENOTFOUND, "no such %s", kind)
		}
		if _, err := s.svc.Intel.Group(r.Context(), kind, id); err != nil {
			return err
		}
		in, err := groupInput(r)
		if err != nil {
			return err
		}
		g, err := s.svc.Intel.UpdateGroup(r.Context(), id, in)
		if err == nil {
			return redirect(w, r, groupURL(g), "saved")
		}
		if !refused(v, r, err) {
			return err
		}
		return s.renderGroup(w, r, v, kind, http.StatusUnprocessableEntity)
	}
}

// observableData is one observable's page: what it is, the judgement form, where it was seen.
type observableData struct {
	Observable *haven.Observable
	Sightings  []*haven.Sighting
	Techniques []attack.Technique
}

func (s *Server) observablePage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	return s.renderObservable(w, r, v, http.StatusOK)
}

func (s *Server) renderObservable(w http.ResponseWriter, r *http.Request, v *view, status int) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such observable")
	}
	d := &observableData{}
	if d.Observable, err = s.svc.Observables.Observable(r.Context(), id); err != nil {
		return err
	}
	if d.Sightings, err = s.svc.Observables.Sightings(r.Context(), id, 0); err != nil {
		return err
	}
	d.Techniques = named(d.Observable.Techniques)
	v.Nav, v.Title, v.Data = "intel", shown(d.Observable), d
	return s.render(w, r, status, "observable", v)
}

// shown is how an observable reads: an internationalised domain in Unicode.
func shown(o *haven.Observable) string {
	if o.Unicode != "" {
		return o.Unicode
	}
	return o.Value
}

// observableJudge records a handler's verdict, markings and techniques.
func (s *Server) observableJudge(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such observable")
	}
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	f := r.PostForm
	verdict, tlp, pap, comment := f.Get("verdict"), haven.TLP(f.Get("tlp")), f.Get("pap"), f.Get("comment")
	techniques := splitLines(f.Get("techniques"))
	confidence, cerr := strconv.Atoi(strings.TrimSpace(f.Get("confidence")))
	if cerr != nil {
		confidence = -1 // refused by validation, beside the field
	}
	up := haven.ObservableUpdate{Verdict: &verdict, TLP: &tlp, PAP: &pap, Confidence: &confidence, Comment: &comment, Techniques: &techniques}
	if _, err = s.svc.Observables.UpdateObservable(r.Context(), id, up); err == nil {
		return redirect(w, r, "/observables/"+strconv.FormatInt(id, 10), "saved")
	}
	if !refused(v, r, err) {
		return err
	}
	return s.renderObservable(w, r, v, http.StatusUnprocessableEntity)
}

// caseIntelSave replaces a case's ATT&CK techniques and groups from its page.
func (s *Server) caseIntelSave(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	in := haven.CaseIntel{Techniques: splitLines(r.PostForm.Get("techniques")), Groups: []int64{}}
	for _, g := range r.PostForm["groups"] {
		if id, err := strconv.ParseInt(g, 10, 64); err == nil {
			in.Groups = append(in.Groups, id)
		}
	}
	number := r.PathValue("number")
	_, err := s.svc.Intel.SetCaseIntel(r.Context(), number, in)
	return s.afterCaseForm(w, r, v, err, "saved")
}

// exportData is the preview of what an export sends, exactly.
type exportData struct {
	Back     string // the case or campaign page
	Download string // the same export as a file
	Format   string
	TLPMax   string
	Export   *haven.Export
	Document string
}

// exportRequest reads the case or campaign from the path and the format and ceiling from the query.
func exportRequest(r *http.Request) (haven.ExportRequest, string, error) {
	q := r.URL.Query()
	req := haven.ExportRequest{Format: q.Get("format"), TLPMax: haven.TLP(q.Get("tlp_max"))}
	if n := r.PathValue("number"); n != "" {
		req.Cases = []string{n}
		return req, "/cases/" + n, nil
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return req, "", haven.Errorf(haven.ENOTFOUND, "no such campaign")
	}
	req.Campaign = id
	return req, "/campaigns/" + strconv.FormatInt(id, 10), nil
}

func (s *Server) exportPreview(w http.ResponseWriter, r *http.Request, v *view) error {
	req, back, err := exportRequest(r)
	if err != nil {
		return err
	}
	x, err := s.svc.Intel.Export(r.Context(), req)
	if err != nil {
		return err
	}
	d := &exportData{Back: back, Format: cmp.Or(req.Format, haven.FormatSTIX), TLPMax: cmp.Or(string(req.TLPMax), "amber"),
		Export: x, Document: string(x.Body)}
	d.Download = back + "/export/download?format=" + d.Format + "&tlp_max=" + strings.ReplaceAll(d.TLPMax, "+", "%2B")
	v.Nav, v.Title, v.Data = "intel", v.L.T("intel.export_title"), d
	return s.render(w, r, http.StatusOK, "export", v)
}

func (s *Server) exportDownload(w http.ResponseWriter, r *http.Request, _ *view) error {
	req, _, err := exportRequest(r)
	if err != nil {
		return err
	}
	x, err := s.svc.Intel.Export(r.Context(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	return sendExport(w, x, nil)
}
