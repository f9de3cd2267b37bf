package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-helpline/haven"
)

// TestRequesterExportAndErase drives `haven requester export|erase` on both databases.
func TestRequesterExportAndErase(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		if _, errOut, err := runHaven(t, bin, nil, "migrate", "--db", db); err != nil {
			t.Fatalf("migrate: %v %s", err, errOut)
		}
		id := strconv.FormatInt(writePerson(t, db), 10)
		name, email := secrets[0], secrets[1]

		out := exportJSON(t, bin, db, id)
		if !strings.Contains(out, email) || !strings.Contains(out, name) || !strings.Contains(out, secrets[5]) || !strings.Contains(out, secrets[10]) {
			t.Fatalf("export lacks the person's data:\n%s", out)
		}
		preview, errOut, err := runHaven(t, bin, nil, "requester", "erase", "--db", db, id)
		if err == nil || !strings.Contains(preview, "would erase") || !strings.Contains(errOut, "--yes") {
			t.Fatalf("erase without --yes must only preview and fail: %v %s %s", err, preview, errOut)
		}
		if again := exportJSON(t, bin, db, id); !strings.Contains(again, email) {
			t.Fatal("erase without --yes changed something")
		}
		done, errOut, err := runHaven(t, bin, nil, "requester", "erase", "--db", db, "--yes", id)
		if err != nil || !strings.Contains(done, "erased") || !strings.Contains(done, "scrubbed") {
			t.Fatalf("erase --yes: %v %s %s", err, done, errOut)
		}
		after := exportJSON(t, bin, db, id)
		if strings.Contains(after, email) || strings.Contains(after, name) || strings.Contains(after, secrets[5]) || strings.Contains(after, secrets[10]) ||
			!strings.Contains(after, `"erased_at"`) {
			t.Fatalf("export after erasure still holds personal data or no erasure date:\n%s", after)
		}
		if out, _, err := runHaven(t, bin, nil, "requester", "erase", "--db", db, "--yes", id); err != nil || !strings.Contains(out, "nothing left to erase") {
			t.Fatalf("second erase: %v %s", err, out)
		}
		if out, errOut, err := runHaven(t, bin, nil, "audit", "verify", "--db", db); err != nil || !strings.Contains(out, "intact") {
			t.Fatalf("audit verify after erasure: %v %s %s", err, out, errOut)
		}
	})
}

// writePerson stores the secrets of encryption_test.go through Haven and returns the requester's id.
func writePerson(t *testing.T, dsn string) int64 {
	t.Helper()
	a := writeSecrets(t, dsn, t.TempDir())
	defer a.Close()
	var id int64
	err := a.db.View(context.Background(), func(tx haven.Tx) error {
		found, err := tx.RequestersByContact(context.Background(), haven.Contact{Kind: "email", Value: secrets[1]}, haven.Viewer{Now: time.Now()})
		if len(found) == 1 {
			id = found[0].ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func exportJSON(t *testing.T, bin, db, id string) string {
	t.Helper()
	out, errOut, err := runHaven(t, bin, nil, "requester", "export", "--db", db, id)
	if err != nil || !json.Valid([]byte(out)) {
		t.Fatalf("requester export: %v %s\n%s", err, errOut, out)
	}
	return out
}

// TestRetentionCommands drives `haven retention set|list|purge` on both databases: a case closed
// long ago is purged with its requester's data, and the audit chain stays intact.
func TestRetentionCommands(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		if _, errOut, err := runHaven(t, bin, nil, "migrate", "--db", db); err != nil {
			t.Fatalf("migrate: %v %s", err, errOut)
		}
		id := strconv.FormatInt(writePerson(t, db), 10)
		if _, errOut, err := runHaven(t, bin, nil, "retention", "set", "--db", db, "no-such-category", "30"); err == nil {
			t.Fatalf("an unknown category was accepted: %s", errOut)
		}
		if out, errOut, err := runHaven(t, bin, nil, "retention", "set", "--db", db, "*", "30"); err != nil || !strings.Contains(out, "30 days") {
			t.Fatalf("retention set: %v %s %s", err, out, errOut)
		}
		if out, _, err := runHaven(t, bin, nil, "retention", "list", "--db", db); err != nil || !strings.Contains(out, "*") {
			t.Fatalf("retention list: %v %s", err, out)
		}
		if out, _, err := runHaven(t, bin, nil, "retention", "purge", "--db", db); err != nil || !strings.Contains(out, `"cases": []`) {
			t.Fatalf("nothing is expired yet, but: %v %s", err, out)
		}
		rawExec(t, db, `UPDATE cases SET status = 'closed', outcome = 'resolved', closed_at = 1000000`)
		out, errOut, err := runHaven(t, bin, nil, "retention", "purge", "--db", db)
		if err != nil || !strings.Contains(out, `"HV-`) || !strings.Contains(out, `"requesters": 1`) {
			t.Fatalf("retention purge: %v %s %s", err, out, errOut)
		}
		if after := exportJSON(t, bin, db, id); strings.Contains(after, secrets[1]) || strings.Contains(after, secrets[0]) {
			t.Fatalf("the purge left personal data:\n%s", after)
		}
		if out, errOut, err := runHaven(t, bin, nil, "audit", "verify", "--db", db); err != nil || !strings.Contains(out, "intact") {
			t.Fatalf("audit verify after the purge: %v %s %s", err, out, errOut)
		}
	})
}
