package sqldb

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
)

// FuzzCursor: an arbitrary cursor string is refused as EINVALID, never a panic.
func FuzzCursor(f *testing.F) {
	f.Add(encodeCursor("updated", 1, 2))
	f.Add("e30")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := decodeCursor(s, "updated", 2); err != nil && haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("cursor %q: %v", s, err)
		}
	})
}

// FuzzSearch runs arbitrary search text against a real FTS5 index: the query is built from
// normalised tokens, so no input may produce an FTS syntax error (which would be EINTERNAL).
func FuzzSearch(f *testing.F) {
	for _, seed := range []string{"حساب", `"unbalanced`, "NEAR(a b)", "a OR b", "col:term", "*", "-x", "e\u0301", "ال", "^a AND (b"} {
		f.Add(seed)
	}
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, func() int64 { return 0 }); err != nil {
		f.Fatal(err)
	}
	encoded, _ := keyring.GenerateMasterKey()
	mk, _ := keyring.ParseMasterKey(encoded)
	if err := db.Unlock(ctx, keyring.NewKeyring(mk)); err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	err = db.Update(ctx, func(tx haven.Tx) error {
		c := &haven.Case{Number: "HV-2026-000001", Title: "اختراق الحساب", Summary: "phishing OR near", Status: haven.StatusNew,
			Priority: haven.P2, TLP: "amber", Tier: 1, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertCase(ctx, c); err != nil {
			return err
		}
		return tx.IndexCase(ctx, c)
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		err := db.View(ctx, func(tx haven.Tx) error {
			_, err := tx.FindCases(ctx, haven.CaseFilter{Text: q, Sort: haven.SortUpdated, Limit: 10})
			return err
		})
		if err != nil && haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("search %q: %v", q, err)
		}
	})
}
