package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const templateYAMLFile = `templates:
  - name: phishing-first
    kind: reply
    categories: [phishing]
    variants:
      en:
        subject: "[{case_number}] the link you received"
        body: |
          Dear {requester_name},
          please do not open the link again.
          {handler_name}, {helpline_name}
      ar:
        subject: "[{case_number}] الرابط الذي وصلك"
        body: "مرحبا {requester_name}"
`

// TestTemplateCommands: `haven template import` adds, then leaves alone, then updates; export
// round-trips; bad files are refused whole, naming the template, field and position.
func TestTemplateCommands(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		dir := t.TempDir()
		file := filepath.Join(dir, "phishing.yaml")
		os.WriteFile(file, []byte(templateYAMLFile), 0o600)
		run := migratedDB(t, bin, db)
		if out, errOut, err := run("template", "import", dir); err != nil || out != "added phishing-first\n" {
			t.Fatalf("import: %v %q %s", err, out, errOut)
		}
		if out, _, err := run("template", "import", file); err != nil || out != "unchanged phishing-first\n" {
			t.Fatalf("import again: %v %q", err, out)
		}
		exported, _, err := run("template", "export", "phishing-first")
		if err != nil || !strings.Contains(exported, "مرحبا {requester_name}") {
			t.Fatalf("export: %v %q", err, exported)
		}
		os.WriteFile(file, []byte(strings.Replace(exported, "please do not open", "never open", 1)), 0o600)
		if out, _, err := run("template", "import", file); err != nil || out != "updated phishing-first\n" {
			t.Fatalf("import a change: %v %q", err, out)
		}
		if out, _, err := run("template", "list"); err != nil || !strings.Contains(out, "phishing-first") || !strings.Contains(out, "ar,en") {
			t.Fatalf("list: %v %q", err, out)
		}
		for name, bad := range map[string]string{
			"unknown placeholder": strings.Replace(templateYAMLFile, "{requester_name}", "{requester}", 1),
			"unknown key":         strings.Replace(templateYAMLFile, "kind: reply", "kind: reply\n    colour: red", 1),
			"alias":               "x: &a [1]\ny: *a\ntemplates: []\n",
		} {
			os.WriteFile(file, []byte(bad), 0o600)
			_, errOut, err := run("template", "import", file)
			if err == nil || !strings.Contains(errOut, "phishing.yaml") {
				t.Errorf("%s: accepted (%v) %s", name, err, errOut)
			}
			if name == "unknown placeholder" && !strings.Contains(errOut, "variants.en.body: line 1, column 6: unknown placeholder {requester}") {
				t.Errorf("the error does not say where: %s", errOut)
			}
		}
		if out, _, _ := run("template", "list"); strings.Count(out, "\n") != 2 {
			t.Fatalf("a refused file changed something: %q", out)
		}
	})
}

// TestAPITemplates: the templates API and render-template on both databases.
func TestAPITemplates(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		body := map[string]any{"name": "close-resolved", "kind": "reply", "categories": []string{"phishing"},
			"variants": map[string]any{"en": map[string]string{"subject": "[{case_number}] closed", "body": "Dear {requester_name}, we close {case_number}."}}}
		st, tpl := c.do("POST", "/api/v1/templates", body)
		if st != 201 || tpl["version"] != 1.0 {
			t.Fatalf("create: %d %v", st, tpl)
		}
		id := int(tpl["id"].(float64))
		body["variants"] = map[string]any{"en": map[string]string{"subject": "x", "body": "{nope}"}}
		if st, e := c.do("PATCH", "/api/v1/templates/"+itoa(id), body); st != 400 || !strings.Contains(marshal(e), "unknown placeholder {nope}") {
			t.Fatalf("bad placeholder: %d %v", st, e)
		}
		_, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "Phishing", "language": "fr", "requester": map[string]any{"pseudonym": "heron"}})
		number := cs["number"].(string)
		st, r := c.do("POST", "/api/v1/cases/"+number+"/render-template", map[string]any{"template": id})
		if st != 200 || r["language"] != "en" || r["fallback"] != true || r["body"] != "Dear heron, we close "+number+"." {
			t.Fatalf("render: %d %v", st, r)
		}
		if st, _ := c.do("POST", "/api/v1/cases/HV-2001-999999/render-template", map[string]any{"template": id}); st != 404 {
			t.Fatalf("render for no case: %d", st)
		}
		st, m := c.do("POST", "/api/v1/cases/"+number+"/messages", map[string]any{"text": r["body"], "template_id": id, "template_version": 1})
		if st != 201 || m["template_id"] != float64(id) || m["template_version"] != 1.0 {
			t.Fatalf("templated message: %d %v", st, m)
		}
		if st, vs := c.do("GET", "/api/v1/templates/"+itoa(id)+"/versions", nil); st != 200 || len(items(vs)) != 1 {
			t.Fatalf("versions: %d %v", st, vs)
		}
		if st, _ := c.do("DELETE", "/api/v1/templates/"+itoa(id), nil); st != 204 {
			t.Fatalf("retire: %d", st)
		}
		if st, list := c.do("GET", "/api/v1/templates", nil); st != 200 || len(items(list)) != 0 {
			t.Fatalf("list after retiring: %d %v", st, list)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestAPITaxonomy: categories (a sub-category renamed through its %2F path, cases following)
// and platforms, on both databases.
func TestAPITaxonomy(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		if st, body := c.do("POST", "/api/v1/categories", map[string]any{"slug": "account-compromise/facebook",
			"labels": map[string]string{"en": "Facebook", "ar": "فيسبوك"}}); st != 201 || body["parent"] != "account-compromise" {
			t.Fatalf("create: %d %v", st, body)
		}
		_, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "FB", "categories": []string{"account-compromise/facebook"}})
		number := cs["number"].(string)
		if st, body := c.do("PATCH", "/api/v1/categories/account-compromise%2Ffacebook", map[string]any{"slug": "account-compromise/meta"}); st != 200 || body["slug"] != "account-compromise/meta" {
			t.Fatalf("rename: %d %v", st, body)
		}
		if _, got := c.do("GET", "/api/v1/cases/"+number, nil); marshal(got["categories"]) != `["account-compromise/meta"]` {
			t.Fatalf("the case did not follow: %v", got["categories"])
		}
		if st, body := c.do("PATCH", "/api/v1/platforms/x", map[string]any{"retired": true}); st != 200 || body["retired_at"] == nil {
			t.Fatalf("retire a platform: %d %v", st, body)
		}
		if _, list := c.do("GET", "/api/v1/platforms", nil); strings.Contains(marshal(list), `"slug":"x"`) || len(items(list)) < 10 {
			t.Fatalf("platforms without the retired one: %v", list)
		}
		if st, one := c.do("GET", "/api/v1/platforms/x", nil); st != 200 || one["slug"] != "x" || one["retired_at"] == nil {
			t.Fatalf("one retired platform: %d %v", st, one)
		}
		if st, body := c.do("GET", "/api/v1/platforms/no-such", nil); st != 404 || errCode(body) != "not_found" {
			t.Fatalf("an unknown platform: %d %v", st, body)
		}
	})
}
