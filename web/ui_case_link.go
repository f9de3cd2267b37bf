package web

import (
	"net/http"

	"github.com/haven-helpline/haven"
)

// The case page's "Related cases" section: link, unlink, and mark as a duplicate. Refusals are
// shown beside the section's forms (caseFormOf names it "links").

func (s *Server) caseLink(w http.ResponseWriter, r *http.Request, v *view) error {
	other, err := formCase(r, "case")
	if err == nil {
		_, err = s.svc.Cases.LinkCases(r.Context(), r.PathValue("number"), other)
	}
	return s.afterCaseForm(w, r, v, linkFieldError(v, err, "case"), "saved")
}

func (s *Server) caseUnlink(w http.ResponseWriter, r *http.Request, v *view) error {
	other, err := formCase(r, "case")
	if err == nil {
		_, err = s.svc.Cases.UnlinkCases(r.Context(), r.PathValue("number"), other)
	}
	return s.afterCaseForm(w, r, v, linkFieldError(v, err, "unlink"), "saved")
}

// caseDuplicate merges this case into another once the user confirmed what that does.
func (s *Server) caseDuplicate(w http.ResponseWriter, r *http.Request, v *view) error {
	of, err := formCase(r, "of")
	if err == nil && r.PostForm.Get("confirm") != "1" {
		err = &haven.Error{Code: haven.EINVALID, Message: "confirm first",
			Fields: map[string]string{"duplicate_confirm": v.L.T("case.duplicate_confirm_required")}}
	}
	if err == nil {
		_, err = s.svc.Cases.MarkDuplicate(r.Context(), r.PathValue("number"), of)
	}
	return s.afterCaseForm(w, r, v, linkFieldError(v, err, "of"), "saved")
}

// formCase reads a case number from the posted form, checked at the edge.
func formCase(r *http.Request, field string) (string, error) {
	if err := r.ParseForm(); err != nil {
		return "", haven.Errorf(haven.EINVALID, "bad form")
	}
	return otherCase(field, r.PostForm.Get(field))
}

// linkFieldError words a malformed number in the reader's language beside the field, and so
// too a number naming no case the user may see: the page stays (its own case answers missing as
// everywhere), and a hidden case answers exactly like a number no case has.
func linkFieldError(v *view, err error, field string) error {
	he, ok := err.(*haven.Error)
	switch {
	case !ok:
		return err
	case he.Fields[field] != "":
		he.Fields[field] = v.L.T("case.link_number_invalid")
	case he.Code == haven.ENOTFOUND:
		return &haven.Error{Code: haven.EINVALID, Message: he.Message, Err: err,
			Fields: map[string]string{field: v.L.T("case.link_not_found")}}
	}
	return err
}
