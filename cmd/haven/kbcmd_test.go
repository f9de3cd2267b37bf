package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKBCommands: the starter articles import and again change nothing; an exported article,
// edited and imported, becomes its next version; a file with a script in its Markdown is refused
// naming the article and changes nothing, not even the good article beside it.
func TestKBCommands(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		run := migratedDB(t, bin, db)
		if out, errOut, err := run("kb", "import", "--starter"); err != nil || out != "added vetting-requesters\n" {
			t.Fatalf("starter articles: %v %q %s", err, out, errOut)
		}
		if out, _, err := run("kb", "import", "--starter"); err != nil || out != "unchanged vetting-requesters\n" {
			t.Fatalf("importing again: %v %q", err, out)
		}
		exported, _, err := run("kb", "export", "vetting-requesters")
		if err != nil || !strings.Contains(exported, "slug: vetting-requesters") || !strings.Contains(exported, "التحقق من أصحاب الطلبات") {
			t.Fatalf("export: %v\n%s", err, exported)
		}
		dir := t.TempDir()
		edited := strings.Replace(exported, "Vetting requesters\n", "Vetting requesters and partners\n", 1)
		os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(edited), 0o600)
		if out, errOut, err := run("kb", "import", dir); err != nil || out != "updated vetting-requesters\n" {
			t.Fatalf("an edited article: %v %q %s", err, out, errOut)
		}
		evil := "articles:\n  - slug: fresh\n    state: published\n    variants: {en: {title: Fresh, body: ok}}\n" +
			"  - slug: evil\n    state: published\n    variants: {en: {title: Evil, body: \"<script>alert(1)</script>\"}}\n"
		os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(evil), 0o600)
		if _, errOut, err := run("kb", "import", dir); err == nil || !strings.Contains(errOut, "article evil") {
			t.Fatalf("a script in an article: %v %s", err, errOut)
		}
		out, _, err := run("kb", "list")
		if err != nil || strings.Contains(out, "fresh") || !strings.Contains(out, "vetting-requesters  published  2") {
			t.Fatalf("list after a refused import: %v\n%s", err, out)
		}
		if all, _, err := run("kb", "export"); err != nil || !strings.Contains(all, "Vetting requesters and partners") {
			t.Fatalf("export all: %v\n%s", err, all)
		}
		if _, errOut, err := run("kb", "import"); err == nil || !strings.Contains(errOut, "--starter") {
			t.Fatalf("no path: %v %s", err, errOut)
		}
	})
}
