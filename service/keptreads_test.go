package service_test

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/service"
	"github.com/haven-helpline/haven/sqldb"
	"github.com/haven-helpline/haven/testenv"
)

// What every signed-in page reads first (the session, saved views, unread notifications) is
// kept between writes, and a write shows at once: a sign-out, a disabled account, a changed
// role, a new notification or view. What a caller does to what it gets stays its own.
func TestKeptUserReadsFollowWrites(t *testing.T) {
	forEachFixture(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		signIn := func() string {
			t.Helper()
			res, err := f.svc.Login(ctx, haven.Credentials{Username: "amira", Password: "a long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			return res.Token
		}
		tok := signIn()
		a, err := f.svc.SessionActor(ctx, tok)
		if err != nil || a.User.Role != haven.RoleHandler {
			t.Fatalf("session: %+v %v", a.User, err)
		}
		a.User.Role, a.User.Teams = haven.RoleAdmin, append(a.User.Teams, "everyone")
		if again, err := f.svc.SessionActor(ctx, tok); err != nil || again.User.Role != haven.RoleHandler || len(again.User.Teams) != 1 {
			t.Fatalf("a caller's change reached the kept session: %+v %v", again.User, err)
		}
		me := haven.WithActor(ctx, a)
		before, err := f.svc.Notifications(me, true)
		if err != nil {
			t.Fatal(err)
		}
		if vs, err := f.svc.SavedViews(me); err != nil || len(vs) != 0 {
			t.Fatalf("saved views: %d %v", len(vs), err)
		}

		lead := haven.RoleLead
		if _, err := f.svc.UpdateUser(f.admin, "amira", haven.UserUpdate{Role: &lead}); err != nil {
			t.Fatal(err)
		}
		a, err = f.svc.SessionActor(ctx, tok)
		if err != nil || a.User.Role != haven.RoleLead {
			t.Fatalf("after the role changed, the session says %+v %v", a.User, err)
		}
		me = haven.WithActor(ctx, a)
		ns, err := f.svc.Notifications(me, true)
		if err != nil || len(ns) <= len(before) || !slices.ContainsFunc(ns, func(n *haven.Notification) bool { return n.Kind == haven.NoticeRoleChanged }) {
			t.Fatalf("the role change's notification is not listed: %d, %d before (%v)", len(ns), len(before), err)
		}
		if _, err := f.svc.SaveView(me, haven.SavedView{Name: "Mine", Query: "queue=mine"}); err != nil {
			t.Fatal(err)
		}
		if vs, err := f.svc.SavedViews(me); err != nil || len(vs) != 1 {
			t.Fatalf("the new view is not listed: %d %v", len(vs), err)
		}

		if err := f.svc.Logout(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SessionActor(ctx, tok); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("a signed-out session: %v", err)
		}
		tok = signIn()
		if _, err := f.svc.SessionActor(ctx, tok); err != nil {
			t.Fatal(err)
		}
		off := true
		if _, err := f.svc.UpdateUser(f.admin, "amira", haven.UserUpdate{Disabled: &off}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SessionActor(ctx, tok); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("the session of a disabled account: %v", err)
		}
	})
}

// viewCounter counts the read transactions the service asks for.
type viewCounter struct {
	*sqldb.DB
	views atomic.Int64
}

func (v *viewCounter) View(ctx context.Context, fn func(haven.Tx) error) error {
	v.views.Add(1)
	return v.DB.View(ctx, fn)
}

// An API token and who it stands for are kept across writes that touch no reference data (an
// intake's cases), and read again at once after a write to the token, the user or their teams: a
// revoked token, a disabled account, a new role or team is refused or seen on the next request.
func TestKeptTokenFollowsReferenceWritesOnly(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dsn := testenv.Postgres(t)
			if dialect == "sqlite" {
				dsn = t.TempDir() + "/h.db"
			}
			store := &viewCounter{DB: openTestDB(t, dsn)}
			svc := service.New(store, &fixedClock{t: time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)}, service.DefaultConfig())
			ctx := context.Background()
			admin, err := svc.CreateFirstAdmin(ctx, "admin", "correct horse battery staple")
			if err != nil {
				t.Fatal(err)
			}
			amira, err := svc.CreateUser(as(admin, false), haven.UserCreate{Username: "amira", Role: haven.RoleHandler, Password: "a long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CreateTeam(as(admin, false), "mena"); err != nil {
				t.Fatal(err)
			}
			secret, tok, err := svc.CreateToken(as(amira, false), "amira", "intake", false)
			if err != nil {
				t.Fatal(err)
			}
			actor := func() (haven.Actor, int64) {
				t.Helper()
				before := store.views.Load()
				a, err := svc.TokenActor(ctx, secret)
				if err != nil {
					t.Fatal(err)
				}
				return a, store.views.Load() - before
			}
			actor() // reads, and writes the token's first use: a reference write
			if _, reads := actor(); reads != 1 {
				t.Fatalf("after the token's use was written: %d reads, want 1", reads)
			}
			// On SQLite the change watcher also moves the reference generation when it sees a
			// commit, this process's own included (every 100 ms at most): one of three tries
			// must find the actor kept, and the watcher cannot tick in all three.
			keptAcross := func(what string, write func(a haven.Actor)) {
				t.Helper()
				reads := int64(-1)
				for range 3 {
					a, _ := actor() // kept, or read again after a tick
					write(a)
					if _, reads = actor(); reads == 0 {
						return
					}
				}
				t.Fatalf("after %s: %d reads, want the kept actor", what, reads)
			}
			keptAcross("nothing written", func(haven.Actor) {})
			keptAcross("a case written", func(a haven.Actor) {
				if _, err := svc.CreateCase(haven.WithActor(ctx, a), haven.CaseCreate{Title: "Hacked account"}); err != nil {
					t.Fatal(err)
				}
			})

			if _, err := svc.AddTeamMember(as(admin, false), "mena", "amira"); err != nil {
				t.Fatal(err)
			}
			if a, reads := actor(); reads != 1 || !slices.Equal(a.User.Teams, []string{"mena"}) {
				t.Fatalf("after joining a team: teams %v, %d reads", a.User.Teams, reads)
			}
			lead := haven.RoleLead
			if _, err := svc.UpdateUser(as(admin, false), "amira", haven.UserUpdate{Role: &lead}); err != nil {
				t.Fatal(err)
			}
			if a, _ := actor(); a.User.Role != haven.RoleLead {
				t.Fatalf("after the role changed: %s", a.User.Role)
			}
			if err := svc.RevokeToken(as(amira, false), "amira", tok.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.TokenActor(ctx, secret); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
				t.Fatalf("a revoked token: %v", err)
			}

			secret, _, err = svc.CreateToken(as(amira, false), "amira", "intake 2", false)
			if err != nil {
				t.Fatal(err)
			}
			actor()
			off := true
			if _, err := svc.UpdateUser(as(admin, false), "amira", haven.UserUpdate{Disabled: &off}); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.TokenActor(ctx, secret); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
				t.Fatalf("the token of a disabled account: %v", err)
			}
		})
	}
}

// gatedStore, once a gate is set, holds the first write transaction at it and refuses the others.
type gatedStore struct {
	*sqldb.DB
	gate    atomic.Pointer[chan struct{}]
	updates atomic.Int64
}

func (g *gatedStore) Update(ctx context.Context, fn func(haven.Tx) error) error {
	if gate := g.gate.Load(); gate != nil {
		if g.updates.Add(1) > 1 {
			return haven.Errorf(haven.ECONFLICT, "a second write while the first is held")
		}
		<-*gate
	}
	return g.DB.Update(ctx, fn)
}

// The concurrent requests of one API client write the token's last use once: while one writes
// it, the others go on without writing.
func TestTokenLastUseWrittenOnce(t *testing.T) {
	store := &gatedStore{DB: openTestDB(t, t.TempDir()+"/h.db")}
	svc := service.New(store, &fixedClock{t: time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)}, service.DefaultConfig())
	ctx := context.Background()
	admin, err := svc.CreateFirstAdmin(ctx, "admin", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := svc.CreateToken(as(admin, false), "admin", "intake", false)
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	store.gate.Store(&gate)
	const clients = 8
	others := make(chan error, clients)
	first := make(chan error, 1)
	go func() { _, err := svc.TokenActor(ctx, secret); first <- err }()
	for store.updates.Load() == 0 { // the first request is writing the last use (held at the gate)
		runtime.Gosched()
	}
	for range clients {
		go func() { _, err := svc.TokenActor(ctx, secret); others <- err }()
	}
	for range clients { // they all answer while the first one's write is held
		if err := <-others; err != nil {
			t.Fatal(err)
		}
	}
	close(gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := store.updates.Load(); n != 1 {
		t.Fatalf("%d writes of the token's last use, want 1", n)
	}
}

// preparingStore records the texts the service hands the store before its write transactions.
type preparingStore struct {
	*sqldb.DB
	mu       sync.Mutex
	prepared []string
}

func (p *preparingStore) PrepareCaseText(title, summary string) {
	p.mu.Lock()
	p.prepared = append(p.prepared, title+"|"+summary)
	p.mu.Unlock()
	p.DB.PrepareCaseText(title, summary)
}

// A new case's title and summary are handed to the store before its write transaction (their
// text work then happens outside SQLite's single writer); a restricted case's are not, since
// they are never indexed.
func TestCreateCasePreparesItsText(t *testing.T) {
	store := &preparingStore{DB: openTestDB(t, t.TempDir()+"/h.db")}
	svc := service.New(store, &fixedClock{t: time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)}, service.DefaultConfig())
	ctx := context.Background()
	admin, err := svc.CreateFirstAdmin(ctx, "admin", "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	actx := haven.WithActor(ctx, haven.Actor{User: admin})
	if _, err := svc.CreateCase(actx, haven.CaseCreate{Title: "Phished", Summary: "A fake login page", Priority: haven.P2}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateCase(actx, haven.CaseCreate{Title: "Hidden", Summary: "Only Ana", Priority: haven.P2,
		RestrictedTo: []string{"admin"}}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(store.prepared, []string{"Phished|A fake login page"}) {
		t.Fatalf("prepared %q", store.prepared)
	}
	page, err := svc.Cases(actx, haven.CaseFilter{Text: "login", Limit: 10})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("search after a prepared create: %v %v", page, err)
	}
}
