package web

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/i18n"
)

// TestEveryPageStringIsInTheCatalog: every message id the templates and handlers use, literal or
// built from a status, priority, outcome and the like, exists in the catalogs (which
// TestCatalogsComplete in package i18n checks in all six languages). A string added to a template
// without its translations fails here.
func TestEveryPageStringIsInTheCatalog(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, id := range cat.IDs() {
		known[id] = true
	}
	for _, id := range usedIDs(t) {
		if !known[id] {
			t.Errorf("message id %q is used by the web interface but missing from i18n/locales/en.json", id)
		}
	}
}

// usedIDs lists the literal ids of the templates and the Go files, and the ids built at run time.
func usedIDs(t *testing.T) []string {
	var ids []string
	sources, _ := fs.Glob(templateFS, "templates/*.html")
	for _, p := range sources {
		b, _ := fs.ReadFile(templateFS, p)
		ids = append(ids, matches(string(b))...)
	}
	goFiles, _ := filepath.Glob("ui*.go")
	for _, p := range goFiles {
		b, _ := os.ReadFile(p)
		for _, m := range regexp.MustCompile(`\.T\("([a-z0-9_.-]+[a-z0-9_-])"`).FindAllStringSubmatch(string(b), -1) {
			ids = append(ids, m[1]) // an id ending in "." is a prefix completed at run time
		}
	}
	for _, s := range haven.Statuses() {
		ids = append(ids, "status."+string(s))
	}
	for _, g := range haven.CaseStatsGroupings() {
		ids = append(ids, "dashby."+g) // the dashboard's panel titles
	}
	for _, p := range []haven.Priority{haven.P1, haven.P2, haven.P3, haven.P4} {
		ids = append(ids, "priority."+string(p))
	}
	for _, o := range haven.Outcomes() {
		ids = append(ids, "outcome."+string(o))
	}
	for _, v := range haven.VettingStatuses() {
		ids = append(ids, "vetting."+string(v))
	}
	for _, q := range queues() {
		ids = append(ids, "queue."+q.Name)
	}
	for _, p := range []string{haven.PresenceViewing, haven.PresenceReplying} {
		ids = append(ids, "presence."+p)
	}
	for _, show := range timelineShows {
		ids = append(ids, "tlshow."+show)
	}
	for _, f := range []string{"title", "summary", "priority", "language", "country", "region", "tlp", "tier", "team",
		"assignee", "tags", "categories", "consent", "first_response_due", "resolution_due", "compartment", "restricted_to"} {
		ids = append(ids, "field."+f) // the fields a case.updated event names
	}
	ids = append(ids, "msgstatus.recorded_no_relay", "flash.sent_queued", "flash.sent_recorded", "flash.sent_no_relay")
	for _, s := range []string{"priority", "updated", "due", "created"} {
		ids = append(ids, "sort."+s)
	}
	for _, c := range []string{"api", "email", "web", "phone", "signal", "other"} {
		ids = append(ids, "channel."+c)
	}
	for _, f := range []string{"auto-reply", "unparsed", "charset-fallback", "encrypted", "decrypted", "signed",
		"signature-valid", "signature-invalid", "auto-ack", "decryption-failed"} {
		ids = append(ids, "flag."+f)
	}
	for _, e := range []string{"case.created", "case.updated", "case.transitioned", "case.viewed", "case.access_granted",
		"case.break_glass", "case.correspondence_erased", "case.purged", "case.requester_merged", "message.added",
		"message.received", "message.sent", "message.failed", "note.added", "task.added", "task.updated",
		"attachment.added", "attachment.downloaded", "case.linked", "case.unlinked", "case.marked_duplicate", "case.merged_duplicate"} {
		ids = append(ids, "event."+e) // the events a case's timeline shows
	}
	for _, f := range []string{"saved", "sent", "noted", "assigned", "status", "deleted", "bulk", "view_saved"} {
		ids = append(ids, "flash."+f)
	}
	for _, k := range haven.AccountNotices() {
		ids = append(ids, "notify."+k) // notifications of changes to one's account
	}
	for _, k := range haven.CaseNotices() {
		ids = append(ids, "notify."+k, "notify_kind."+k) // notifications of work on a case, and their email choices
	}
	for _, s := range []string{"queued", "retrying", "sent", "failed", "received"} {
		ids = append(ids, "msgstatus."+s)
	}
	for _, r := range append(slices.Collect(maps.Values(bulkReasons)), "error") {
		ids = append(ids, "inbox.why."+r) // why a bulk action left a case unchanged
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func matches(src string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`\.L\.T "([a-z0-9_.-]+)"`).FindAllStringSubmatch(src, -1) {
		out = append(out, m[1])
	}
	return out
}
