package haven

import (
	"context"
	"strings"
	"sync"
)

// CaseReads remembers, for one page, the cases its reader was allowed to read. A case page reads
// its case once for each part it shows (history, tasks, messages, escalations…); with CaseReads in
// the context, the visibility rule is asked once per page and a restricted case's view is audited
// once, not once per part. Only reads use it: a change always reads its case afresh.
type CaseReads struct {
	mu      sync.Mutex
	userID  int64
	cases   map[string]*Case
	audited map[int64]bool
}

type caseReadsKey struct{}

// WithCaseReads starts remembering case reads for what runs with the returned context (one page).
func WithCaseReads(ctx context.Context) context.Context {
	return context.WithValue(ctx, caseReadsKey{}, &CaseReads{})
}

// CaseReadsFrom is the context's CaseReads, nil when none (every read then asks afresh).
func CaseReadsFrom(ctx context.Context) *CaseReads {
	r, _ := ctx.Value(caseReadsKey{}).(*CaseReads)
	return r
}

func caseKey(number string) string { return strings.ToUpper(strings.TrimSpace(number)) }

// Case is a copy of the case userID read under number earlier, nil when there is none.
func (r *CaseReads) Case(userID int64, number string) *Case {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.cases[caseKey(number)]
	if c == nil || r.userID != userID {
		return nil
	}
	cp := *c
	return &cp
}

// Keep remembers that userID read c under number.
func (r *CaseReads) Keep(userID int64, number string, c *Case) {
	if r == nil || c == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cases == nil || r.userID != userID {
		r.userID, r.cases, r.audited = userID, map[string]*Case{}, map[int64]bool{}
	}
	cp := *c
	r.cases[caseKey(number)] = &cp
}

// FirstView reports whether this is the first read of case caseID by userID to audit here.
func (r *CaseReads) FirstView(userID, caseID int64) bool {
	if r == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.userID != userID || r.audited == nil {
		return true
	}
	first := !r.audited[caseID]
	r.audited[caseID] = true
	return first
}
