package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/haven-helpline/haven"
)

func (s *Server) caseObservables(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.Observables.CaseObservables(r.Context(), r.PathValue("number"))
	return replyList(w, list, err)
}

// findObservables answers ?q=VALUE (any form: defanged, Unicode) and ?type=.
func (s *Server) findObservables(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "q", "type")
	f := haven.ObservableFilter{Q: q.str("q"), Type: q.str("type")}
	q.v.Check(f.Q != "", "q", "required: the value to look up")
	q.v.Check(len(f.Q) <= 4096, "q", "at most 4,096 characters")
	if err := q.err(); err != nil {
		return err
	}
	list, err := s.svc.Observables.FindObservables(r.Context(), f)
	return replyList(w, list, err)
}

func (s *Server) getObservable(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "observable")
	if err != nil {
		return err
	}
	o, err := s.svc.Observables.Observable(r.Context(), id)
	return reply(w, o, err)
}

func (s *Server) updateObservable(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "observable")
	if err != nil {
		return err
	}
	var up haven.ObservableUpdate
	if err := s.decode(w, r, &up); err != nil {
		return err
	}
	o, err := s.svc.Observables.UpdateObservable(r.Context(), id, up)
	return reply(w, o, err)
}

// observableSightings answers one page of sightings, newest first (?before=ID for the next).
func (s *Server) observableSightings(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "observable")
	if err != nil {
		return err
	}
	q := newQuery(r.URL, "before")
	before := q.id("before")
	if err := q.err(); err != nil {
		return err
	}
	list, err := s.svc.Observables.Sightings(r.Context(), id, before)
	return replyList(w, list, err)
}

func (s *Server) getAllowList(w http.ResponseWriter, r *http.Request) error {
	l, err := s.svc.Observables.AllowList(r.Context())
	return reply(w, l, err)
}

func (s *Server) putAllowList(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Domains []string `json:"domains"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	l, err := s.svc.Observables.SetAllowList(r.Context(), in.Domains)
	return reply(w, l, err)
}

func (s *Server) listGroups(kind string) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		gs, err := s.svc.Intel.Groups(r.Context(), kind)
		return replyList(w, gs, err)
	}
}

func (s *Server) createGroup(kind string) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in haven.GroupInput
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
		g, err := s.svc.Intel.CreateGroup(r.Context(), kind, in)
		return created(w, g, err)
	}
}

func (s *Server) getGroup(kind string) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kind)
		if err != nil {
			return err
		}
		g, err := s.svc.Intel.Group(r.Context(), kind, id)
		return reply(w, g, err)
	}
}

func (s *Server) updateGroup(kind string) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", kind)
		if err != nil {
			return err
		}
		if _, err := s.svc.Intel.Group(r.Context(), kind, id); err != nil {
			return err
		}
		var in haven.GroupInput
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
		g, err := s.svc.Intel.UpdateGroup(r.Context(), id, in)
		return reply(w, g, err)
	}
}

func (s *Server) getCaseIntel(w http.ResponseWriter, r *http.Request) error {
	ci, err := s.svc.Intel.CaseIntel(r.Context(), r.PathValue("number"))
	return reply(w, ci, err)
}

func (s *Server) putCaseIntel(w http.ResponseWriter, r *http.Request) error {
	var in haven.CaseIntel
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	ci, err := s.svc.Intel.SetCaseIntel(r.Context(), r.PathValue("number"), in)
	return reply(w, ci, err)
}

// exportCase answers a case as a STIX 2.1 bundle or a MISP event (?format=stix|misp&tlp_max=).
func (s *Server) exportCase(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "format", "tlp_max")
	req := haven.ExportRequest{Cases: []string{r.PathValue("number")}, Format: q.str("format"), TLPMax: haven.TLP(q.str("tlp_max"))}
	if err := q.err(); err != nil {
		return err
	}
	x, err := s.svc.Intel.Export(r.Context(), req)
	return sendExport(w, x, err)
}

// exportSelection answers cases or a campaign as the body asks.
func (s *Server) exportSelection(w http.ResponseWriter, r *http.Request) error {
	var req haven.ExportRequest
	if err := s.decode(w, r, &req); err != nil {
		return err
	}
	x, err := s.svc.Intel.Export(r.Context(), req)
	return sendExport(w, x, err)
}

// sendExport sends the document as a download, with what it holds in headers for scripts.
func sendExport(w http.ResponseWriter, x *haven.Export, err error) error {
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", `attachment; filename="`+x.Filename+`"`)
	h.Set("X-Haven-Indicators", strconv.Itoa(x.Indicators))
	h.Set("X-Haven-Withheld", strconv.Itoa(x.Withheld))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(x.Body)
	return err
}

// importFeed takes a partner's STIX bundle or MISP event (?source=NAME).
func (s *Server) importFeed(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r.URL, "source")
	source := q.str("source")
	q.v.Check(source != "" && len(source) <= 100, "source", "required: the partner's name, at most 100 characters")
	if err := q.err(); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, haven.MaxImport))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge(haven.MaxImport)
	}
	if err != nil {
		return haven.Errorf(haven.EINVALID, "could not read the request body")
	}
	res, err := s.svc.Intel.Import(r.Context(), source, body)
	return reply(w, res, err)
}
