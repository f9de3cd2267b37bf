package web

import (
	"net/http"
	"net/url"

	"github.com/haven-helpline/haven"
)

// The first sign-in of an account whose password was given out once (the first admin, or after
// an admin's reset): the person chooses their own password, is offered a second factor, and lands
// where the work is waiting, or where the link they followed pointed.

// offerPath is the page that offers a second factor right after a first password was chosen.
const offerPath = "/account/two-factor/offer"

// offerData is the page offering a second factor; Next is where "Later" leads.
type offerData struct {
	Status *haven.TwoFactorStatus // for the set-up form (totp-begin)
	Next   string
}

// keptNext is a "next" parameter worth carrying along: a same-origin path other than the default
// page, else "".
func keptNext(next string) string {
	if next = localPath(next); next == "/" || next == "/inbox" {
		return ""
	}
	return next
}

// withNext adds a "next" parameter to a path, unless next is the default page.
func withNext(path, next string) string {
	if next = keptNext(next); next == "" {
		return path
	}
	return path + "?next=" + url.QueryEscape(next)
}

// limitedLanding is where a session that must first secure its account goes after signing in:
// the account page, keeping the link the person followed for afterwards.
func limitedLanding(next string) string { return withNext("/account", next) }

// twoFactorOffer asks, once the person has their own password, whether to set up an
// authenticator app now or later. An account that has one, or must have one, goes on.
func (s *Server) twoFactorOffer(w http.ResponseWriter, r *http.Request, v *view) error {
	next := localPath(r.URL.Query().Get("next"))
	if next == "/" {
		next = "/inbox"
	}
	if v.MustEnrol {
		http.Redirect(w, r, "/account#two-factor", http.StatusSeeOther)
		return nil
	}
	st, err := s.svc.TwoFactor.TwoFactorStatus(r.Context())
	if err != nil {
		return err
	}
	if st.Enabled {
		return redirect(w, r, next, "")
	}
	flashFrom(r, v)
	v.Nav, v.Title, v.Data = "account", v.L.T("firstrun.offer_title"), offerData{Status: st, Next: next}
	return s.render(w, r, http.StatusOK, "firstrun", v)
}

// landing sends a visit to the inbox that names no queue and no filter to the queue with waiting
// work: the person's own open cases, else the unassigned ones when some wait. It reports whether
// it redirected; the default queue (their own, even empty) needs no redirect.
func (s *Server) landing(w http.ResponseWriter, r *http.Request, qs []queue) (bool, error) {
	q := r.URL.Query()
	for k := range q {
		if k != "flash" && k != "failed" {
			return false, nil // a queue, a filter or a page of the default queue was asked for
		}
	}
	filters := map[string]haven.CaseFilter{}
	for _, q := range qs {
		filters[q.Name] = q.filter
	}
	counts, err := s.counts.get(r.Context(), s.svc.Cases, userID(r.Context()), filters)
	if err != nil || counts["mine"] > 0 || counts["unassigned"] == 0 {
		return false, err
	}
	q.Set("queue", "unassigned")
	http.Redirect(w, r, "/inbox?"+q.Encode(), http.StatusSeeOther)
	return true, nil
}
