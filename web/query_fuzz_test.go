package web

import (
	"net/url"
	"testing"

	"github.com/haven-helpline/haven"
)

// FuzzCaseFilter feeds arbitrary query strings to the list parser: it must never panic, and
// every refusal must be a field-level EINVALID, never an internal error.
func FuzzCaseFilter(f *testing.F) {
	for _, seed := range []string{"q=phishing&status=open,new&limit=10", "priority=P1&priority=P2&sort=due",
		"limit=-1", "limit=99999999999999999999", "cursor=%ZZ", "q=%D8%AD%D8%B3%D8%A7%D8%A8", "status=;DROP", "open=maybe", "&&==&"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		flt, err := caseFilter(&url.URL{RawQuery: raw})
		if err == nil {
			err = flt.Normalize()
		}
		if err != nil && haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("query %q: %v is not an EINVALID error", raw, err)
		}
	})
}
