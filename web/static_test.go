package web

import (
	"io/fs"
	"strings"
	"testing"
)

// TestStaticFilesUsed keeps web/static to what pages use: every served file is referenced by a
// template, and every licence file belongs to a file that is kept. An unused file is weight
// shipped in the binary and an attack surface served to anyone.
func TestStaticFilesUsed(t *testing.T) {
	var templates strings.Builder
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		templates.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	var licences []string
	err = fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil || d.IsDir():
			return err
		case p == "VERSIONS.md":
		case strings.HasSuffix(p, "LICENSE"):
			licences = append(licences, p)
		default:
			served[p] = true
			if !strings.Contains(templates.String(), `"/static/`+p+`"`) {
				t.Errorf("web/static/%s is used by no page: remove it (and its licence and VERSIONS.md row)", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(served) == 0 {
		t.Fatal("no static file found: is the embed pattern still right?")
	}
	for _, l := range licences {
		base := strings.TrimSuffix(strings.TrimSuffix(l, "LICENSE"), ".")
		kept := false
		for p := range served {
			kept = kept || strings.HasPrefix(p, base+".")
		}
		if !kept {
			t.Errorf("web/static/%s is the licence of a file no longer shipped", l)
		}
	}
}
