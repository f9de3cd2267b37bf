package web

import (
	"net/http"
	"strings"

	"github.com/haven-helpline/haven"
)

// presenceInput is a ping of a case's page.
type presenceInput struct {
	State string `json:"state"`
}

// presenceReply lists the others on the case's page now.
type presenceReply struct {
	Others []haven.Presence `json:"others"`
}

// casePresence (API) records the caller on the case's page and answers who else is there.
func (s *Server) casePresence(w http.ResponseWriter, r *http.Request) error {
	var in presenceInput
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	others, err := s.svc.Presence.CasePresence(r.Context(), r.PathValue("number"), in.State)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, presenceReply{Others: others})
	return nil
}

// casePresencePing is the case page's ping (presence.js, a form post every 15 seconds): the
// API's answer, and its words in the reader's language for the page to show.
func (s *Server) casePresencePing(w http.ResponseWriter, r *http.Request, v *view) error {
	others, err := s.svc.Presence.CasePresence(r.Context(), r.PathValue("number"), r.PostFormValue("state"))
	if err != nil {
		return err
	}
	words := make([]string, len(others))
	for i, p := range others {
		words[i] = v.L.T("presence."+p.State, "User", p.User)
	}
	writeJSON(w, http.StatusOK, struct {
		presenceReply
		Text string `json:"text"`
	}{presenceReply{Others: others}, strings.Join(words, " · ")})
	return nil
}
