package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

// requestersData is the list of requesters.
type requestersData struct {
	Contact    string
	Name       string
	Requesters []*haven.Requester
	Next       string
}

// requestersPage lists requesters, newest first, found by an exact contact (email address,
// phone number, …) or by part of a name or pseudonym.
func (s *Server) requestersPage(w http.ResponseWriter, r *http.Request, v *view) error {
	q := r.URL.Query()
	d := &requestersData{Contact: strings.TrimSpace(q.Get("contact")), Name: strings.TrimSpace(q.Get("name"))}
	page, err := s.svc.Requesters.Requesters(r.Context(), haven.RequesterFilter{Contact: d.Contact, Name: d.Name,
		Cursor: q.Get("cursor")})
	if err != nil {
		return err
	}
	d.Requesters = page.Items
	if page.Next != "" {
		d.Next = withQuery(r.URL.RequestURI(), "cursor", page.Next)
	}
	v.Nav, v.Title, v.Data = "requesters", v.L.T("nav.requesters"), d
	return s.render(w, r, http.StatusOK, "requesters", v)
}

// requesterData is one requester's page.
type requesterData struct {
	Requester *haven.Requester
	RiskNotes []string // by line
	Cases     []*haven.Case
	Next      string
	Vettings  []haven.VettingStatus
}

func (s *Server) requesterPage(w http.ResponseWriter, r *http.Request, v *view) error {
	flashFrom(r, v)
	d, err := s.loadRequester(r)
	if err != nil {
		return err
	}
	return s.renderRequester(w, r, v, d, http.StatusOK)
}

func (s *Server) loadRequester(r *http.Request) (*requesterData, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, haven.Errorf(haven.ENOTFOUND, "no such requester")
	}
	ctx := r.Context()
	d := &requesterData{Vettings: haven.VettingStatuses()}
	if d.Requester, err = s.svc.Requesters.Requester(ctx, id); err != nil {
		return nil, err
	}
	if n := strings.TrimSpace(d.Requester.RiskNotes); n != "" {
		d.RiskNotes = strings.Split(n, "\n")
	}
	page, err := s.svc.Cases.Cases(ctx, haven.CaseFilter{RequesterID: id, Sort: haven.SortCreated,
		Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return nil, err
	}
	d.Cases = page.Items
	if page.Next != "" {
		d.Next = withQuery("/requesters/"+strconv.FormatInt(id, 10), "cursor", page.Next)
	}
	return d, nil
}

func (s *Server) renderRequester(w http.ResponseWriter, r *http.Request, v *view, d *requesterData, status int) error {
	name := d.Requester.DisplayName()
	if name == "" {
		name = v.L.T("requester.unnamed", "ID", v.L.N(d.Requester.ID))
	}
	v.Nav, v.Title, v.Data = "requesters", name, d
	if r.Method == http.MethodPost {
		v.Path = "/requesters/" + strconv.FormatInt(d.Requester.ID, 10)
	}
	return s.render(w, r, status, "requester", v)
}

// requesterEdit saves the edit form; a refused change shows the page again with the typed
// values and the errors beside their fields.
func (s *Server) requesterEdit(w http.ResponseWriter, r *http.Request, v *view) error {
	if err := r.ParseForm(); err != nil {
		return haven.Errorf(haven.EINVALID, "bad form")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return haven.Errorf(haven.ENOTFOUND, "no such requester")
	}
	f := r.PostForm
	str := func(k string) *string {
		if _, ok := f[k]; !ok {
			return nil
		}
		s := strings.TrimSpace(strings.ReplaceAll(f.Get(k), "\r\n", "\n"))
		return &s
	}
	up := haven.RequesterUpdate{Pseudonym: str("pseudonym"), Name: str("name"), VouchedBy: str("vouched_by"),
		RiskNotes: str("risk_notes")}
	if l := str("languages"); l != nil {
		langs := splitList(*l)
		if langs == nil {
			langs = []string{}
		}
		up.Languages = &langs
	}
	if vt := str("vetting"); vt != nil {
		vs := haven.VettingStatus(*vt)
		up.Vetting = &vs
	}
	_, err = s.svc.Requesters.UpdateRequester(r.Context(), id, up)
	if err == nil {
		return redirect(w, r, "/requesters/"+strconv.FormatInt(id, 10), "saved")
	}
	if code := haven.ErrorCode(err); code != haven.EINVALID && code != haven.ECONFLICT {
		return err
	}
	d, lerr := s.loadRequester(r)
	if lerr != nil {
		return lerr
	}
	formFailed(v, r, err, map[string]string{"name": "name:requester.name_rules",
		"languages": "languages:requester.languages_rules"})
	return s.renderRequester(w, r, v, d, http.StatusUnprocessableEntity)
}
