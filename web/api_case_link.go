package web

import (
	"net/http"
	"strings"

	"github.com/haven-helpline/haven"
)

type linkRequest struct {
	Case string `json:"case"`
}

type duplicateRequest struct {
	Of string `json:"of"`
}

// otherCase checks, at the edge, that a request names another case by its number.
func otherCase(field, number string) (string, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if !haven.ValidCaseNumber(number) {
		return "", &haven.Error{Code: haven.EINVALID, Message: "which case?",
			Fields: map[string]string{field: "required, a case number such as HV-2026-000123"}}
	}
	return number, nil
}

func (s *Server) linkCases(w http.ResponseWriter, r *http.Request) error {
	var in linkRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	other, err := otherCase("case", in.Case)
	if err != nil {
		return err
	}
	c, err := s.svc.Cases.LinkCases(r.Context(), r.PathValue("number"), other)
	return reply(w, c, err)
}

func (s *Server) unlinkCases(w http.ResponseWriter, r *http.Request) error {
	other, err := otherCase("other", r.PathValue("other"))
	if err != nil {
		return err
	}
	c, err := s.svc.Cases.UnlinkCases(r.Context(), r.PathValue("number"), other)
	return reply(w, c, err)
}

func (s *Server) markDuplicate(w http.ResponseWriter, r *http.Request) error {
	var in duplicateRequest
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	of, err := otherCase("of", in.Of)
	if err != nil {
		return err
	}
	c, err := s.svc.Cases.MarkDuplicate(r.Context(), r.PathValue("number"), of)
	return reply(w, c, err)
}
