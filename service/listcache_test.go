package service_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

func listed(t *testing.T, f *fixture, ctx context.Context, filter haven.CaseFilter) []string {
	t.Helper()
	page, err := f.svc.Cases(ctx, filter)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, c := range page.Items {
		numbers = append(numbers, c.Number)
	}
	return numbers
}

// Lists kept between writes must never show a user what a write changed, nor what another user
// may see.
func TestKeptListsFollowWritesAndViewers(t *testing.T) {
	f := newFixture(t)
	open := haven.CaseFilter{OpenOnly: true}
	a, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Phishing page"})
	if err != nil {
		t.Fatal(err)
	}
	if got := listed(t, f, f.users["lucas"], open); !slices.Equal(got, []string{a.Number}) {
		t.Fatalf("lucas lists %v", got)
	}
	// A new case, a closed case, a changed title: each shows on the next read.
	b, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Doxxing"})
	if err != nil {
		t.Fatal(err)
	}
	if got := listed(t, f, f.users["lucas"], open); len(got) != 2 {
		t.Fatalf("after a new case lucas lists %v", got)
	}
	if _, err := f.svc.UpdateCase(f.users["amira"], b.Number, haven.CaseUpdate{Title: ptr("Doxxing of a journalist")}); err != nil {
		t.Fatal(err)
	}
	page, err := f.svc.Cases(f.users["lucas"], open)
	if err != nil || page.Items[0].Title != "Doxxing of a journalist" {
		t.Fatalf("the changed title is not listed: %+v %v", page.Items[0], err)
	}
	// What a caller does to its list stays its own.
	page.Items[0].Title, page.Items[0].Tags = "scribbled", append(page.Items[0].Tags, "x")
	page.Items = page.Items[:0]
	if again, _ := f.svc.Cases(f.users["lucas"], open); len(again.Items) != 2 || again.Items[0].Title == "scribbled" || len(again.Items[0].Tags) != 0 {
		t.Fatalf("a caller's change reached the kept list: %+v", again.Items)
	}
	// A case restricted to amira: lucas's kept list never gains it, amira's has it. (sam, who
	// sees what lucas sees, reads first: their lists are one.)
	if got := listed(t, f, f.users["sam"], open); len(got) != 2 {
		t.Fatalf("sam lists %v", got)
	}
	r, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Staff member harassed", Team: "mena", RestrictedTo: []string{"amira"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := listed(t, f, f.users["amira"], open); !slices.Contains(got, r.Number) {
		t.Fatalf("amira lists %v without her restricted case", got)
	}
	if got := listed(t, f, f.users["lucas"], open); slices.Contains(got, r.Number) {
		t.Fatalf("lucas lists %v, with a case restricted to amira", got)
	}
	// Time alone ends a kept list: an access grant expires without any write.
	if _, err := f.svc.AddTeamMember(f.admin, "mena", "fatou"); err != nil { // the team's lead sees it by right
		t.Fatal(err)
	}
	if _, err := f.svc.GrantAccess(f.users["fatou"], r.Number, "lucas", time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := listed(t, f, f.users["lucas"], open); !slices.Contains(got, r.Number) {
		t.Fatalf("lucas lists %v without the case granted to him", got)
	}
	// sam saw the same lists as lucas while neither could see a restricted case; not any more.
	if got := listed(t, f, f.users["sam"], open); slices.Contains(got, r.Number) || len(got) != 2 {
		t.Fatalf("sam lists %v: the case granted to lucas, or not every unrestricted case", got)
	}
	f.clock.t = f.clock.t.Add(61 * time.Minute)
	if got := listed(t, f, f.users["lucas"], open); slices.Contains(got, r.Number) {
		t.Fatalf("lucas still lists %v after his grant expired", got)
	}
}

// Another process writing the same SQLite file (haven ingest, the admin commands) is seen too.
func TestKeptListsSeeOtherProcessesWrites(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "h.db")
	keys := testenv.Keyring(t)
	open := func() *sqldb.DB {
		db, err := sqldb.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
			t.Fatal(err)
		}
		if err := db.Unlock(ctx, keys); err != nil {
			t.Fatal(err)
		}
		return db
	}
	server, other := service.New(open(), nil, service.DefaultConfig()), service.New(open(), nil, service.DefaultConfig())
	admin, err := server.CreateFirstAdmin(ctx, "admin", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	as := as(admin, false)
	if page, err := server.Cases(as, haven.CaseFilter{}); err != nil || len(page.Items) != 0 {
		t.Fatalf("%+v %v", page, err)
	}
	if _, err := other.CreateCase(as, haven.CaseCreate{Title: "Arrived by the mail pipe"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		page, err := server.Cases(as, haven.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("a case written by another process never appeared in the list")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestGeneration(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
		t.Fatal(err)
	}
	unlock(t, db)
	before, ok := db.Generation()
	if !ok {
		t.Fatal("SQLite knows its generation")
	}
	if err := db.View(ctx, func(haven.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	// A read-write transaction that changes nothing (an idle job poll) need not change it: the
	// write must be a real one.
	err = db.Update(ctx, func(tx haven.Tx) error {
		return tx.InsertCategory(ctx, &haven.Category{Slug: "generation-test", Labels: map[string]string{"en": "Generation test"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := db.Generation(); after == before {
		t.Fatal("a write must change the generation")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := db.Generation(); ok {
		t.Fatal("a closed database's generation must not be trusted: nothing kept may be given back")
	}
}

// Readers and a writer at once: every read is whole, and once the writes are done the lists
// show all of them.
func TestKeptListsUnderConcurrentWrites(t *testing.T) {
	f := newFixture(t)
	const cases = 20
	done := make(chan error, 1)
	go func() {
		for range cases {
			if _, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "case"}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	readers := make(chan error, 4)
	for _, who := range []string{"lucas", "sam", "amira", "fatou"} {
		go func() {
			for range 50 {
				page, err := f.svc.Cases(f.users[who], haven.CaseFilter{OpenOnly: true})
				if err != nil {
					readers <- err
					return
				}
				for _, c := range page.Items {
					if c.Title != "case" {
						readers <- fmt.Errorf("%s read a damaged case: %+v", who, c)
						return
					}
				}
			}
			readers <- nil
		}()
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if err := <-readers; err != nil {
			t.Fatal(err)
		}
	}
	for _, who := range []string{"lucas", "sam", "amira", "fatou"} {
		if got := listed(t, f, f.users[who], haven.CaseFilter{OpenOnly: true, Limit: 100}); len(got) != cases {
			t.Fatalf("%s lists %d cases after the writes, want %d", who, len(got), cases)
		}
	}
}

// TestKeptTaxonomyFollowsWrites: the category list every page reads is kept between writes, and a
// write (a new category, a retirement) shows at once; filtering out retired ones for one caller
// does not change what the next caller gets.
func TestKeptTaxonomyFollowsWrites(t *testing.T) {
	f := newFixture(t)
	slugs := func(retired bool) []string {
		cs, err := f.svc.Categories(f.users["amira"], retired)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Slug)
		}
		return out
	}
	before := slugs(true)
	if _, err := f.svc.CreateCategory(f.admin, haven.CategoryInput{Slug: "phishing/sms", Labels: map[string]string{"en": "SMS"}}); err != nil {
		t.Fatal(err)
	}
	if got := slugs(true); len(got) != len(before)+1 || !slices.Contains(got, "phishing/sms") {
		t.Fatalf("a new category did not show: %v", got)
	}
	yes := true
	if _, err := f.svc.UpdateCategory(f.admin, "phishing/sms", haven.CategoryUpdate{Retired: &yes}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if live := slugs(false); slices.Contains(live, "phishing/sms") || len(live) != len(before) {
			t.Fatalf("a retired category is listed: %v", live)
		}
		if all := slugs(true); len(all) != len(before)+1 || !slices.Contains(all, "phishing/sms") {
			t.Fatalf("the kept list lost a category: %v", all)
		}
	}
}

// Kept queue counts follow writes, and a user who may see restricted cases never gets a plain
// viewer's count nor gives theirs to one.
func TestKeptCountsFollowWritesAndViewers(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.AddCompartmentMember(f.admin, "child-safety", "amira"); err != nil {
		t.Fatal(err)
	}
	open := map[string]haven.CaseFilter{"open": {OpenOnly: true}, "mine": {Assignee: "me", OpenOnly: true}}
	count := func(ctx context.Context) map[string]int {
		t.Helper()
		n, err := f.svc.CountCases(ctx, open)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Phishing page", Assignee: "amira"}); err != nil {
		t.Fatal(err)
	}
	if n := count(f.users["lucas"]); n["open"] != 1 || n["mine"] != 0 {
		t.Fatalf("lucas counts %v", n)
	}
	if _, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Abuse material", Compartment: "child-safety"}); err != nil {
		t.Fatal(err)
	}
	if n := count(f.users["amira"]); n["open"] != 2 || n["mine"] != 1 {
		t.Fatalf("amira, in the compartment, counts %v", n)
	}
	if n := count(f.users["lucas"]); n["open"] != 1 {
		t.Fatalf("lucas, outside the compartment, counts %v", n)
	}
	if _, err := f.svc.CreateCase(f.users["amira"], haven.CaseCreate{Title: "Doxxing"}); err != nil {
		t.Fatal(err)
	}
	if n := count(f.users["lucas"]); n["open"] != 2 {
		t.Fatalf("after a write lucas counts %v", n)
	}
}
