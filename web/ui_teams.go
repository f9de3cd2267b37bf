package web

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/haven-helpline/haven"
)

// teamChoice is a team as a page shows it: its name (the slug, what forms and filters send) and
// its label in the reader's language (else English, else the slug).
type teamChoice struct{ Name, Label string }

// teamKey prefixes a team's name where its label joins the category labels (the case history's
// values): no category slug has a colon, so the two never meet.
const teamKey = "team:"

// teamChoices reads the teams, named in the reader's language, in the store's order.
func (s *Server) teamChoices(r *http.Request, v *view) ([]teamChoice, error) {
	teams, err := s.svc.Users.Teams(r.Context())
	if err != nil {
		return nil, err
	}
	return namedTeams(teams, v.L.Tag()), nil
}

func namedTeams(teams []*haven.Team, lang string) []teamChoice {
	out := make([]teamChoice, 0, len(teams))
	for _, t := range teams {
		out = append(out, teamChoice{Name: t.Name, Label: t.Label(lang)})
	}
	return out
}

// teamLabel names the team called name in the reader's language; a team that no longer exists
// (or none) keeps its slug.
func teamLabel(teams []teamChoice, name string) string {
	for _, t := range teams {
		if t.Name == name {
			return t.Label
		}
	}
	return name
}

// teamOptions renders teams as a select's options, the slug as the value, the label as the text.
func teamOptions(teams []teamChoice, selected string) template.HTML {
	var w htmlWriter
	for _, t := range teams {
		w.raw(`<option value="`).text(t.Name).raw(`"`)
		if t.Name == selected {
			w.raw(" selected")
		}
		w.raw(">").text(t.Label).raw("</option>")
	}
	return template.HTML(w.String()) //nolint:gosec // values escaped by text
}

// viewHref is the inbox address of a saved view's query. Written as "/inbox?{{.Query}}", the
// template escaped the query's = and & as text, so every view opened the bare inbox; the query
// is parsed and encoded again instead, so nothing but parameters reaches the link.
func viewHref(query string) template.URL {
	q, err := url.ParseQuery(query)
	if err != nil {
		return "/inbox"
	}
	return template.URL((&url.URL{Path: "/inbox", RawQuery: q.Encode()}).String()) //nolint:gosec // re-encoded parameters
}
