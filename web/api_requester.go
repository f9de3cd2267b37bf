package web

import (
	"net/http"
	"strconv"

	"github.com/haven-helpline/haven"
)

func (s *Server) createRequester(w http.ResponseWriter, r *http.Request) error {
	var in haven.RequesterInput
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	req, err := s.svc.Requesters.CreateRequester(r.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/requesters/"+strconv.FormatInt(req.ID, 10))
	writeJSON(w, http.StatusCreated, req)
	return nil
}

func (s *Server) listRequesters(w http.ResponseWriter, r *http.Request) error {
	f, err := requesterFilter(r.URL)
	if err != nil {
		return err
	}
	page, err := s.svc.Requesters.Requesters(r.Context(), f)
	if err != nil {
		return err
	}
	if page.Items == nil {
		page.Items = []*haven.Requester{}
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) getRequester(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "requester")
	if err != nil {
		return err
	}
	req, err := s.svc.Requesters.Requester(r.Context(), id)
	return reply(w, req, err)
}

func (s *Server) updateRequester(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "requester")
	if err != nil {
		return err
	}
	var up haven.RequesterUpdate
	if err := s.decode(w, r, &up); err != nil {
		return err
	}
	req, err := s.svc.Requesters.UpdateRequester(r.Context(), id, up)
	return reply(w, req, err)
}

type mergeRequest struct {
	From int64 `json:"from"`
}

func (s *Server) mergeRequesters(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "requester")
	if err != nil {
		return err
	}
	var in mergeRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.From <= 0 {
		return &haven.Error{Code: haven.EINVALID, Message: "merge which requester?",
			Fields: map[string]string{"from": "required, the id of the requester to merge into this one"}}
	}
	req, err := s.svc.Requesters.MergeRequesters(r.Context(), id, in.From)
	return reply(w, req, err)
}

// requesterCases lists the cases of one requester, with the usual case filters.
func (s *Server) requesterCases(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "requester")
	if err != nil {
		return err
	}
	f, err := caseFilter(r.URL)
	if err != nil {
		return err
	}
	if _, err := s.svc.Requesters.Requester(r.Context(), id); err != nil {
		return err
	}
	f.RequesterID = id
	return s.writeCases(w, r, f)
}
