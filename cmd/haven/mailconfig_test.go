package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMailboxCategory: a mailbox may give its new cases a category (its auto playbooks then
// apply at intake); a value that cannot be a category slug is refused when the file is read.
func TestMailboxCategory(t *testing.T) {
	dir := t.TempDir()
	write := func(category string) string {
		p := filepath.Join(dir, category+".json")
		os.WriteFile(p, []byte(`{"mailboxes":[{"address":"Phish@Helpline.test","category":"`+category+`"}]}`), 0o600)
		return p
	}
	cfg, err := (&MailFlags{MailConfig: write("phishing")}).load()
	if err != nil {
		t.Fatal(err)
	}
	if mbs := cfg.mailboxes(); len(mbs) != 1 || mbs[0].Category != "phishing" || mbs[0].Address != "phish@helpline.test" {
		t.Fatalf("mailboxes: %+v", mbs)
	}
	if _, err := (&MailFlags{MailConfig: write("Not A Slug")}).load(); err == nil || !strings.Contains(err.Error(), "not a category slug") {
		t.Fatalf("a bad category: %v", err)
	}
}
