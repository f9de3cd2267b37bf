package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// testObservables: values are found by their blind index, sightings link them to cases once per
// source and role, correlation and sightings follow need-to-know, and erasing a case's
// correspondence forgets what it alone sighted.
func testObservables(t *testing.T, s haven.Store) {
	ctx := context.Background()
	var outsider *haven.User
	update(t, s, func(tx haven.Tx) error {
		outsider = &haven.User{Username: "outsider", Role: haven.RoleHandler, PasswordHash: "x", CreatedAt: t0}
		return tx.InsertUser(ctx, outsider)
	})
	open := newCase(t, s, "Open", nil)
	other := newCase(t, s, "Other", nil)
	hidden := newCase(t, s, "Hidden", func(c *haven.Case) { c.Compartment = "child-safety" })
	evil := haven.Found{Type: "domain", Value: "evil.example", Role: haven.RoleLink}
	secret := haven.Found{Type: "email", Value: "only@hidden.example", Role: haven.RoleFrom}
	sight := func(c *haven.Case, src int64, at time.Time, found ...haven.Found) {
		update(t, s, func(tx haven.Tx) error {
			_, err := tx.SightObservables(ctx, c.ID, haven.SightingSource{Kind: "message", ID: src}, found, at)
			return err
		})
	}
	sight(open, 1, t0, evil)
	sight(open, 1, t0, evil) // the same message again: no second sighting
	sight(other, 2, t0.Add(time.Hour), evil)
	sight(hidden, 3, t0.Add(2*time.Hour), evil, secret)
	v := haven.Viewer{UserID: outsider.ID, Now: t0.Add(3 * time.Hour)}
	view(t, s, func(tx haven.Tx) error {
		id, err := tx.ObservableIDByValue(ctx, "domain", "evil.example")
		if err != nil {
			return err
		}
		o, err := tx.ObservableByID(ctx, id)
		if err != nil {
			return err
		}
		if o.Value != "evil.example" || o.FirstSeen == nil || !o.FirstSeen.Equal(t0) || !o.LastSeen.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("observable = %+v", o)
		}
		refs, err := tx.AlsoSeen(ctx, o.ID, open.ID, v, 10)
		if err != nil {
			return err
		}
		if len(refs) != 1 || refs[0].Number != other.Number {
			t.Errorf("also seen from the open case = %+v, want only %s (the hidden case is not named)", refs, other.Number)
		}
		all, err := tx.CaseCorrelations(ctx, open.ID, v, 10)
		if err != nil {
			return err
		}
		if len(all) != 1 || len(all[o.ID]) != 1 || all[o.ID][0].Number != other.Number {
			t.Errorf("case correlations of the open case = %+v, want %s for the domain only", all, other.Number)
		}
		sightings, err := tx.Sightings(ctx, o.ID, v, 0, 10)
		if err != nil {
			return err
		}
		if len(sightings) != 2 {
			t.Errorf("sightings visible to an outsider = %d, want 2", len(sightings))
		}
		hiddenOnly, err := tx.ObservableIDByValue(ctx, "email", "only@hidden.example")
		if err != nil {
			return err
		}
		if ok, err := tx.ObservableVisible(ctx, hiddenOnly, v); ok || err != nil {
			t.Errorf("an observable sighted only in a hidden case is visible: %v %v", ok, err)
		}
		if ok, err := tx.ObservableVisible(ctx, o.ID, v); !ok || err != nil {
			t.Errorf("an observable sighted in an open case is hidden: %v %v", ok, err)
		}
		list, err := tx.CaseObservables(ctx, hidden.ID)
		if err != nil {
			return err
		}
		roles := map[string][]string{}
		for _, co := range list {
			roles[co.Value] = co.Roles
		}
		if len(list) != 2 || !slices.Equal(roles["only@hidden.example"], []string{"from"}) || !slices.Equal(roles["evil.example"], []string{"link"}) {
			t.Errorf("the hidden case's observables and roles = %v", roles)
		}
		return nil
	})
	update(t, s, func(tx haven.Tx) error {
		_, err := tx.EraseCaseCorrespondence(ctx, hidden.ID)
		return err
	})
	view(t, s, func(tx haven.Tx) error {
		_, err := tx.ObservableIDByValue(ctx, "email", "only@hidden.example")
		wantCode(t, err, haven.ENOTFOUND)
		id, err := tx.ObservableIDByValue(ctx, "domain", "evil.example")
		if err != nil {
			t.Errorf("an observable other cases sighted was erased: %v", err)
			return nil
		}
		ids, err := tx.CasesSighting(ctx, id)
		if err != nil || len(ids) != 2 {
			t.Errorf("cases sighting after erasure = %v %v, want 2", ids, err)
		}
		return nil
	})
	testImportedObservable(t, s, v)
}

// testImportedObservable: a feed's indicator is visible to every reader and marks later sightings
// as known-bad.
func testImportedObservable(t *testing.T, s haven.Store, v haven.Viewer) {
	ctx := context.Background()
	feed := &haven.Observable{Type: "url", Value: "https://bad.example/login", Verdict: haven.VerdictMalicious,
		TLP: "green", PAP: "amber", Source: "CiviCERT", KnownBad: true, Techniques: []string{"T1566.002"}, UpdatedAt: t0}
	update(t, s, func(tx haven.Tx) error {
		created, err := tx.ImportObservable(ctx, feed)
		if !created {
			t.Error("a new value was not created")
		}
		return err
	})
	c := newCase(t, s, "Later", nil)
	update(t, s, func(tx haven.Tx) error {
		bad, err := tx.SightObservables(ctx, c.ID, haven.SightingSource{Kind: "note", ID: 7},
			[]haven.Found{{Type: "url", Value: "https://bad.example/login", Role: haven.RoleNote}}, t0)
		if len(bad) != 1 || bad[0].ID != feed.ID {
			t.Errorf("known-bad sighted = %+v", bad)
		}
		return err
	})
	view(t, s, func(tx haven.Tx) error {
		o, err := tx.ObservableByID(ctx, feed.ID)
		if err != nil {
			return err
		}
		if o.Source != "CiviCERT" || !o.KnownBad || o.Verdict != haven.VerdictMalicious || !slices.Equal(o.Techniques, []string{"T1566.002"}) {
			t.Errorf("imported = %+v", o)
		}
		ok, err := tx.ObservableVisible(ctx, o.ID, v)
		if !ok {
			t.Error("a feed's indicator is not visible to a reader")
		}
		return err
	})
}
