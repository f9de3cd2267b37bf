package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAttachments: a file is stored encrypted (neither its bytes nor its name on disk in the
// clear), listed, and served only as a download.
func TestAttachments(t *testing.T) {
	forEachDB(t, func(t *testing.T, c *apiClient) {
		st, body := c.do("POST", "/api/v1/cases", map[string]any{"title": "Evidence", "requester": map[string]any{"name": "Nour"}})
		if st != 201 {
			t.Fatalf("create case: %d %v", st, body)
		}
		number := body["number"].(string)
		evil := []byte(`<html><script>alert("zqattachmentsecret")</script></html>`)
		if st, a := c.do("POST", "/api/v1/cases/"+number+"/attachments", formFile{"../../zqsecretname.html", string(evil)}); st != 201 || a["filename"] != "zqsecretname.html" {
			t.Fatalf("upload: %d %v", st, a)
		}
		st, list := c.do("GET", "/api/v1/cases/"+number+"/attachments", nil)
		if st != 200 || len(items(list)) != 1 {
			t.Fatalf("list: %d %v", st, list)
		}
		id := items(list)[0].(map[string]any)["id"]
		req, _ := http.NewRequest("GET", c.base+"/api/v1/cases/"+number+"/attachments/"+jsonNumber(id), nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(got, evil) || resp.Header.Get("Content-Type") != "application/octet-stream" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("download: %d %v %q", resp.StatusCode, resp.Header, got)
		}
		grepTree(t, c.data, "zqattachmentsecret", "zqsecretname")
		if st, raw := c.do("POST", "/api/v1/cases/"+number+"/attachments", formFile{"empty.txt", ""}); st != 400 {
			t.Fatalf("empty upload: %d %v", st, raw)
		}
		if st, _ := c.do("POST", "/api/v1/cases/"+number+"/attachments", map[string]any{"file": "x"}); st != 415 {
			t.Fatalf("JSON instead of a form: %d", st)
		}
	})
}

func jsonNumber(v any) string {
	f, _ := v.(float64)
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// grepTree fails if any file under dir holds one of the words.
func grepTree(t *testing.T, dir string, words ...string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		raw, _ := os.ReadFile(p)
		for _, w := range words {
			if bytes.Contains(raw, []byte(w)) {
				t.Errorf("%s holds %q in the clear", p, w)
			}
		}
		return nil
	})
}

// TestAttachmentQuarantine: a program named like a PDF is flagged, and downloads with a warning.
func TestAttachmentQuarantine(t *testing.T) {
	c := startAPI(t, filepath.Join(t.TempDir(), "h.db"))
	_, body := c.do("POST", "/api/v1/cases", map[string]any{"title": "Invoice phishing"})
	number := body["number"].(string)
	st, a := c.do("POST", "/api/v1/cases/"+number+"/attachments", formFile{"invoice.pdf", "MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode"})
	if st != 201 || a["quarantined"] != true || a["suspicious_reason"] == "" {
		t.Fatalf("upload: %d %v", st, a)
	}
	req, _ := http.NewRequest("GET", c.base+"/api/v1/cases/"+number+"/attachments/"+jsonNumber(a["id"]), nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(resp.Header.Get("X-Haven-Warning"), "suspicious") {
		t.Fatalf("no warning on a quarantined download: %v", resp.Header)
	}
}
