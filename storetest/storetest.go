// Package storetest is the conformance suite every haven.Store must pass. sqldb runs it against
// SQLite and PostgreSQL; a feature that adds store behaviour adds its cases here.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// Opener returns a new, migrated, empty store for one test.
type Opener func(t testing.TB) haven.Store

// Run runs every conformance test against stores from open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s haven.Store)
	}{
		{"CaseRoundTrip", testCaseRoundTrip},
		{"CaseVersionConflict", testCaseVersionConflict},
		{"CaseNumbersConcurrent", testCaseNumbersConcurrent},
		{"CaseNumbersNewYear", testCaseNumbersNewYear},
		{"CaseFiltersAndPages", testCaseFiltersAndPages},
		{"CasePagesBothWays", testCasePagesBothWays},
		{"CaseOrderReversed", testCaseOrderReversed},
		{"SavedViewRename", testSavedViewRename},
		{"SearchLatinAndArabic", testSearch},
		{"SearchPages", testSearchPages},
		{"RollbackLeavesNothing", testRollback},
		{"Requesters", testRequesters},
		{"Correspondents", testCorrespondents},
		{"SentMessages", testSentMessages},
		{"Templates", testTemplates},
		{"Playbooks", testPlaybooks},
		{"Articles", testArticles},
		{"Taxonomy", testTaxonomy},
		{"Plans", testPlans},
		{"ReportsDedupe", testReports},
		{"NotesTasksMessagesEvents", testCaseChildren},
		{"UsersTeamsTokens", testUsers},
		{"Accounts", testAccounts},
		{"Erasure", testErasure},
		{"Jobs", testJobs},
		{"Retention", testRetention},
		{"SeesRestricted", testSeesRestricted},
		{"Escalations", testEscalations},
		{"Observables", testObservables},
		{"Intel", testIntel},
		{"NotificationPrefs", testNotificationPrefs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func update(t testing.TB, s haven.Store, fn func(tx haven.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("update: %v", err)
	}
}

func view(t testing.TB, s haven.Store, fn func(tx haven.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("view: %v", err)
	}
}

// newCase inserts a case numbered in 2026 with the given fields set on top of defaults.
func newCase(t testing.TB, s haven.Store, title string, edit func(c *haven.Case)) *haven.Case {
	t.Helper()
	c := &haven.Case{Title: title, Status: haven.StatusNew, Priority: haven.P3, TLP: "amber", Tier: 1,
		Tags: []string{}, Categories: []string{}, CreatedAt: t0, UpdatedAt: t0}
	if edit != nil {
		edit(c)
	}
	update(t, s, func(tx haven.Tx) error {
		var err error
		if c.Number, err = tx.NextCaseNumber(context.Background(), 2026); err != nil {
			return err
		}
		if err := tx.InsertCase(context.Background(), c); err != nil {
			return err
		}
		return tx.IndexCase(context.Background(), c)
	})
	return c
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if haven.ErrorCode(err) != code {
		t.Fatalf("want error code %q, got %v", code, err)
	}
}
