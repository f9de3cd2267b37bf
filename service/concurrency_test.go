package service_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/testenv"
)

// The races in this file are forced, not hoped for: the first transaction to read the contended
// row (a case, or a requester's contact) is held right after that read until every other writer
// is in flight against it, so each of them reads (or waits to read) while the first one has read
// and not yet written. "In flight" is what each database offers: on SQLite the others have asked
// for a write transaction and queue behind the single writer; on PostgreSQL each of them is
// either waiting on a lock or has read the row itself (which only code without the lock lets it
// do: those writers then conflict, and the test fails on their errors instead of waiting).

// raceStore wraps a store so that the service's write transactions report where they are.
type raceStore struct {
	haven.Store
	updates atomic.Int64 // write transactions asked for
	hold    func(point string, c *haven.Case)
}

func (s *raceStore) Update(ctx context.Context, fn func(haven.Tx) error) error {
	s.updates.Add(1)
	return s.Store.Update(ctx, func(tx haven.Tx) error { return fn(&raceTx{Tx: tx, s: s}) })
}

// raceTx calls the store's hold after each read of a case or of a contact's requesters.
type raceTx struct {
	haven.Tx
	s *raceStore
}

func (tx *raceTx) CaseByNumber(ctx context.Context, number string) (*haven.Case, error) {
	c, err := tx.Tx.CaseByNumber(ctx, number)
	if err == nil {
		tx.s.hold("case", c)
	}
	return c, err
}

func (tx *raceTx) CaseByID(ctx context.Context, id int64) (*haven.Case, error) {
	c, err := tx.Tx.CaseByID(ctx, id)
	if err == nil {
		tx.s.hold("case", c)
	}
	return c, err
}

func (tx *raceTx) RequestersByContact(ctx context.Context, c haven.Contact, v haven.Viewer) ([]*haven.Requester, error) {
	found, err := tx.Tx.RequestersByContact(ctx, c, v)
	if err == nil {
		tx.s.hold("contact", nil)
	}
	return found, err
}

// race is one forced race on one database.
type race struct {
	f     *fixture
	svc   *service.Service // the service over the racing store
	store *raceStore
	pg    *sql.DB // PostgreSQL only: a connection of its own, to see who waits on a lock

	mu       sync.Mutex
	point    string  // the reads that race ("case" or "contact")
	armed    bool    // the next read at point is held
	reads    int     // reads at point since armed, the held one included
	versions []int64 // the case versions those reads saw
	held     chan struct{}
	release  chan struct{}
}

// forEachRace runs fn over SQLite and over PostgreSQL.
func forEachRace(t *testing.T, fn func(t *testing.T, r *race)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, newRace(t, "")) })
	t.Run("postgres", func(t *testing.T) { fn(t, newRace(t, testenv.Postgres(t))) })
}

func newRace(t *testing.T, dsn string) *race {
	t.Helper()
	path := dsn
	if path == "" {
		path = t.TempDir() + "/h.db"
	}
	db := openTestDB(t, path)
	r := &race{f: fixtureOver(t, db, service.DefaultConfig())}
	r.store = &raceStore{Store: db, hold: r.hold}
	r.svc = service.New(r.store, r.f.clock, service.DefaultConfig())
	if dsn != "" {
		pg, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		r.pg = pg
	}
	return r
}

// hold is called after each racing read: the first one after run armed the race waits there.
func (r *race) hold(point string, c *haven.Case) {
	r.mu.Lock()
	if point != r.point || r.held == nil {
		r.mu.Unlock()
		return
	}
	r.reads++
	if c != nil {
		r.versions = append(r.versions, c.Version)
	}
	first := r.armed
	r.armed = false
	r.mu.Unlock()
	if first {
		close(r.held)
		<-r.release
	}
}

// run starts n writers at once (op(i)); the first to read at point is held until the other n-1
// are in flight, then let go. It returns each writer's error.
func (r *race) run(t *testing.T, point string, n int, op func(i int) error) []error {
	t.Helper()
	r.mu.Lock()
	r.point, r.armed, r.reads, r.versions = point, true, 0, nil
	r.held, r.release = make(chan struct{}), make(chan struct{})
	r.mu.Unlock()
	before := r.store.updates.Load()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = op(i) })
	}
	select {
	case <-r.held:
	case <-t.Context().Done():
		t.Fatal("no writer read at " + point)
	}
	testenv.Eventually(t, fmt.Sprintf("%d writers in flight behind the held one", n-1), func() (bool, string) {
		return r.inFlight(t, before, n)
	})
	r.mu.Lock()
	if r.reads != 1 {
		t.Errorf("%d writers read at %s while the first one held what it read: they must wait for it", r.reads-1, point)
	}
	r.mu.Unlock()
	close(r.release)
	wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.held = nil
	return errs
}

// inFlight reports whether the n-1 writers besides the held one are racing it.
func (r *race) inFlight(t *testing.T, before int64, n int) (bool, string) {
	asked := r.store.updates.Load() - before
	if r.pg == nil {
		return asked >= int64(n), fmt.Sprintf("%d of %d asked for a write transaction", asked, n)
	}
	var waiting int
	err := r.pg.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
	if err != nil {
		return false, err.Error()
	}
	r.mu.Lock()
	read := r.reads - 1
	r.mu.Unlock()
	return waiting+read >= n-1, fmt.Sprintf("%d waiting on a lock, %d read past the held one", waiting, read)
}

// readVersions are the case versions the racing reads saw, in order.
func (r *race) readVersions() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.versions)
}

func noErrors(t *testing.T, what string, errs []error) {
	t.Helper()
	failed := 0
	var first error
	for _, err := range errs {
		if err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	if failed > 0 {
		t.Fatalf("%s: %d of %d failed, e.g. %v", what, failed, len(errs), first)
	}
}

// inOrder checks that the racing reads of a case saw each version from v on exactly once: every
// writer read what the one before it wrote, so none of them worked from a stale copy.
func inOrder(t *testing.T, r *race, v int64, n int) {
	t.Helper()
	got := r.readVersions()
	slices.Sort(got)
	got = slices.Compact(got)
	want := make([]int64, n)
	for i := range want {
		want[i] = v + int64(i)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("versions read %v, want %v", got, want)
	}
}

func TestConcurrentNotesWithoutVersionAllSucceed(t *testing.T) {
	forEachRace(t, func(t *testing.T, r *race) {
		amira := r.f.users["amira"]
		c, err := r.svc.CreateCase(amira, haven.CaseCreate{Title: "Stalkerware", Team: "mena"})
		if err != nil {
			t.Fatal(err)
		}
		const n = 32
		errs := r.run(t, "case", n, func(i int) error {
			_, err := r.svc.AddNote(amira, c.Number, haven.NoteCreate{Body: fmt.Sprintf("call %d", i)})
			return err
		})
		noErrors(t, "notes", errs)
		inOrder(t, r, c.Version, n)
		notes, err := r.svc.Notes(amira, c.Number)
		if err != nil || len(notes) != n {
			t.Fatalf("%d notes, %v", len(notes), err)
		}
		after, err := r.svc.Case(amira, c.Number)
		if err != nil || after.Version != c.Version+n {
			t.Fatalf("version %d after %d notes on version %d: %v", after.Version, n, c.Version, err)
		}
		if found, err := r.svc.Cases(amira, haven.CaseFilter{Text: "call"}); err != nil || len(found.Items) != 1 {
			t.Fatalf("every note's words stay searchable: %v %v", found, err)
		}
		// Only a version the writer gave, and that is stale, conflicts.
		stale, current := c.Version, after.Version
		title := "Stalkerware on a shared phone"
		_, err = r.svc.UpdateCase(amira, c.Number, haven.CaseUpdate{Title: &title, Version: &stale})
		wantCode(t, err, haven.ECONFLICT)
		if _, err := r.svc.UpdateCase(amira, c.Number, haven.CaseUpdate{Title: &title, Version: &current}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestConcurrentUpdatesWithOneVersionOneWins(t *testing.T) {
	forEachRace(t, func(t *testing.T, r *race) {
		amira := r.f.users["amira"]
		c, err := r.svc.CreateCase(amira, haven.CaseCreate{Title: "Doxxing", Team: "mena"})
		if err != nil {
			t.Fatal(err)
		}
		errs := r.run(t, "case", 2, func(i int) error {
			title := fmt.Sprintf("Doxxing, edit %d", i)
			_, err := r.svc.UpdateCase(amira, c.Number, haven.CaseUpdate{Title: &title, Version: &c.Version})
			return err
		})
		codes := []string{haven.ErrorCode(errs[0]), haven.ErrorCode(errs[1])}
		slices.Sort(codes)
		if !slices.Equal(codes, []string{"", haven.ECONFLICT}) {
			t.Fatalf("two edits of version %d: %v", c.Version, errs)
		}
		inOrder(t, r, c.Version, 2)
	})
}

func TestConcurrentTagsEmailsAndNotesOnOneCase(t *testing.T) {
	forEachRace(t, func(t *testing.T, r *race) {
		fatou := r.f.users["fatou"]
		ctx := context.Background()
		first, err := r.svc.IngestEmail(ctx, email("m0@mail.example", "rania@mail.example", "spyware", "my phone"))
		if err != nil {
			t.Fatal(err)
		}
		c, err := r.svc.Case(fatou, first.CaseNumber)
		if err != nil {
			t.Fatal(err)
		}
		const each = 8
		errs := r.run(t, "case", 3*each, func(i int) error {
			var err error
			switch i % 3 {
			case 0:
				_, err = r.svc.UpdateCase(fatou, c.Number, haven.CaseUpdate{AddTags: []string{fmt.Sprintf("tag-%d", i)}})
			case 1:
				in := email(fmt.Sprintf("m%d@mail.example", i), "rania@mail.example", "Re: spyware ["+c.Number+"]", "more")
				in.CaseTag = c.Number
				var res *haven.IngestResult
				if res, err = r.svc.IngestEmail(ctx, in); err == nil && res.CaseNumber != c.Number {
					err = fmt.Errorf("email %d went to %s (%s)", i, res.CaseNumber, res.Threading)
				}
			default:
				_, err = r.svc.AddNote(fatou, c.Number, haven.NoteCreate{Body: fmt.Sprintf("note %d", i)})
			}
			return err
		})
		noErrors(t, "tags, emails and notes", errs)
		inOrder(t, r, c.Version, 3*each)
		after, err := r.svc.Case(fatou, c.Number)
		if err != nil || len(after.Tags) != each || after.Version != c.Version+3*each {
			t.Fatalf("tags %v, version %d (from %d): %v", after.Tags, after.Version, c.Version, err)
		}
		msgs, err := r.svc.Messages(fatou, c.Number)
		if err != nil || len(msgs) != 1+each {
			t.Fatalf("%d messages: %v", len(msgs), err)
		}
	})
}

func TestConcurrentCreatesShareOneNewRequester(t *testing.T) {
	forEachRace(t, func(t *testing.T, r *race) {
		amira := r.f.users["amira"]
		cases := make([]*haven.Case, 2)
		errs := r.run(t, "contact", 2, func(i int) error {
			var err error
			cases[i], err = r.svc.CreateCase(amira, haven.CaseCreate{Title: fmt.Sprintf("Threats %d", i), Team: "mena",
				Requester: &haven.RequesterInput{Name: "Leila", Email: "leila@example.org"}})
			return err
		})
		noErrors(t, "creates", errs)
		sameRequester(t, r, amira, "leila@example.org", cases)
	})
}

func TestConcurrentEmailsFromANewSenderShareOneRequester(t *testing.T) {
	forEachRace(t, func(t *testing.T, r *race) {
		results := make([]*haven.IngestResult, 2)
		errs := r.run(t, "contact", 2, func(i int) error {
			var err error
			results[i], err = r.svc.IngestEmail(context.Background(),
				email(fmt.Sprintf("new%d@mail.example", i), "yara@mail.example", fmt.Sprintf("help %d", i), "please"))
			return err
		})
		noErrors(t, "emails", errs)
		fatou := r.f.users["fatou"]
		cases := make([]*haven.Case, 2)
		for i, res := range results {
			c, err := r.svc.Case(fatou, res.CaseNumber)
			if err != nil {
				t.Fatal(err)
			}
			cases[i] = c
		}
		sameRequester(t, r, fatou, "yara@mail.example", cases)
	})
}

// sameRequester checks that two different cases are linked to the one requester holding address.
func sameRequester(t *testing.T, r *race, u context.Context, address string, cases []*haven.Case) {
	t.Helper()
	if cases[0].Number == cases[1].Number || cases[0].RequesterID == 0 || cases[0].RequesterID != cases[1].RequesterID {
		t.Fatalf("cases %s and %s have requesters %d and %d", cases[0].Number, cases[1].Number, cases[0].RequesterID, cases[1].RequesterID)
	}
	found, err := r.svc.Requesters(u, haven.RequesterFilter{Contact: address})
	if err != nil || len(found.Items) != 1 || found.Items[0].ID != cases[0].RequesterID {
		t.Fatalf("requesters holding %s: %+v %v", address, found, err)
	}
}
