package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/haven-helpline/haven"
)

// unavailableData is the "try again in a moment" page: when a form was posted, what the user
// typed goes back with the page, in a form that posts it again to the same address.
type unavailableData struct {
	Full   bool // storage is full (507), rather than the database unreachable (503)
	Action string
	Fields []keptField
}

// keptField is one posted value; Long ones are also shown, so they can be copied elsewhere.
type keptField struct {
	Name, Value string
	Long        bool
}

// renderUnavailable answers a transient fault (EUNAVAILABLE, EFULL) with its status, Retry-After
// and a page in the user's language. Nothing was saved, so nothing typed is lost either.
func (s *Server) renderUnavailable(w http.ResponseWriter, r *http.Request, v *view, err error) {
	code := haven.ErrorCode(err)
	s.log.WarnContext(r.Context(), "page failed: database fault", "route", r.Pattern, "code", code, "err", err)
	d := &unavailableData{Full: code == haven.EFULL}
	if r.Method == http.MethodPost {
		_ = r.ParseForm() // the session check may have failed before the handler read the form
		d.Action, d.Fields = r.URL.Path, keptFields(r)
	}
	msg := "error.unavailable"
	if d.Full {
		msg = "error.storage_full"
	}
	v.Title, v.Alert, v.Data = v.L.T(msg), v.L.T(msg), d
	w.Header().Set("Retry-After", retryAfter)
	if rerr := s.render(w, r, statusOf(code), "unavailable", v); rerr != nil {
		http.Error(w, "temporarily unavailable", statusOf(code))
	}
}

// keptFields are the posted values worth posting again, in a stable order: secrets (passwords,
// one-time codes) are never written back into a page.
func keptFields(r *http.Request) []keptField {
	if r.PostForm == nil {
		return nil
	}
	names := make([]string, 0, len(r.PostForm))
	for name := range r.PostForm {
		if !secretField(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var out []keptField
	for _, name := range names {
		for _, value := range r.PostForm[name] {
			out = append(out, keptField{Name: name, Value: value, Long: len(value) > 80 || strings.Contains(value, "\n")})
		}
	}
	return out
}

func secretField(name string) bool {
	return strings.Contains(name, "password") || name == "code" || name == "secret" || name == "recovery_code"
}
