package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"

	"github.com/haven-helpline/haven/testenv"
)

// haven runs the command line in this process and returns its output and exit status.
func havenCLI(args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return out.String(), errOut.String(), code
}

// target is where a backup is restored: a fresh data directory and a fresh, empty database.
type target struct{ data, db string }

func freshTarget(t *testing.T, dialect string) target {
	data := t.TempDir()
	if dialect == "postgres" {
		return target{data: data, db: testenv.Postgres(t)}
	}
	return target{data: data, db: filepath.Join(data, "haven.db")}
}

// forEachBackupDB runs fn on a server over a fresh SQLite file and a fresh PostgreSQL database.
func forEachBackupDB(t *testing.T, fn func(t *testing.T, c *apiClient, src target, dialect string)) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			src := freshTarget(t, dialect)
			c := startAPI(t, src.db)
			src.data = c.data // the server's data directory holds its attachments
			fn(t, c, src, dialect)
		})
	}
}

// ackedItem is something the API acknowledged (201) at a moment: a case, a message on it, or an
// attachment with its bytes.
type ackedItem struct {
	kind, number, content string
	at                    time.Time
}

// loadWriter creates cases with a message and an attachment each, through the HTTP API, until
// stopped, remembering what was acknowledged and when.
type loadWriter struct {
	c     *apiClient
	mu    sync.Mutex
	acked []ackedItem
	err   error
}

func (l *loadWriter) run(ctx context.Context) {
	for i := 0; ctx.Err() == nil; i++ {
		if err := l.one(i); err != nil {
			l.mu.Lock()
			l.err = err
			l.mu.Unlock()
			return
		}
	}
}

func (l *loadWriter) one(i int) error {
	tag := randomHex(6)
	st, body, err := l.post("/api/v1/cases", map[string]any{"title": fmt.Sprintf("backup load %d %s", i, tag)})
	if err != nil || st != 201 {
		return fmt.Errorf("create case: %d %v %v", st, body, err)
	}
	number := body["number"].(string)
	l.ack("case", number, "")
	text := "message " + tag + " " + randomHex(20)
	if st, body, err := l.post("/api/v1/cases/"+number+"/messages", map[string]any{"direction": "in", "channel": "api", "text": text}); err != nil || st != 201 {
		return fmt.Errorf("add message: %d %v %v", st, body, err)
	}
	l.ack("message", number, text)
	file := "attachment " + tag + " " + randomHex(200)
	if st, body, err := l.post("/api/v1/cases/"+number+"/attachments", formFile{"evidence-" + tag + ".txt", file}); err != nil || st != 201 {
		return fmt.Errorf("upload: %d %v %v", st, body, err)
	}
	l.ack("attachment", number, file)
	return nil
}

func (l *loadWriter) ack(kind, number, content string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked = append(l.acked, ackedItem{kind: kind, number: number, content: content, at: time.Now()})
}

// post is apiClient.do without t.Fatal, which must not be called from the load's goroutine.
func (l *loadWriter) post(path string, body any) (int, map[string]any, error) {
	var r io.Reader
	contentType := "application/json"
	if f, ok := body.(formFile); ok {
		r, contentType = f.encode()
	} else {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest("POST", l.c.base+path, r)
	req.Header.Set("Authorization", "Bearer "+l.c.token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out map[string]any
	err = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out, err
}

// before returns the items acknowledged before t, and how many were acknowledged in all.
func (l *loadWriter) before(t time.Time) ([]ackedItem, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []ackedItem
	for _, x := range l.acked {
		if x.at.Before(t) {
			out = append(out, x)
		}
	}
	return out, len(l.acked)
}

// progress returns how many items were acknowledged and the load's error, if it stopped.
func (l *loadWriter) progress() (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked), l.err
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// TestBackupUnderWriteLoad takes a backup while cases, messages and attachments are created
// through the API, restores it into a fresh data directory and database, serves the restored copy
// and finds there everything acknowledged before the backup started, byte for byte; the restored
// audit chain verifies. What was acknowledged while the backup ran may or may not be in it
// (it is, exactly when it committed before the snapshot).
func TestBackupUnderWriteLoad(t *testing.T) {
	forEachBackupDB(t, func(t *testing.T, c *apiClient, src target, dialect string) {
		load := &loadWriter{c: c}
		ctx, stop := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); load.run(ctx) }()
		defer func() { stop(); <-done }()
		for n, err := load.progress(); n < 30 && err == nil; n, err = load.progress() { // a few cases before the backup
			time.Sleep(20 * time.Millisecond)
		}
		file := filepath.Join(t.TempDir(), "haven.backup")
		started := time.Now()
		out, errOut, code := havenCLI("backup", "--db", src.db, "--data", src.data, "--out", file)
		if code != 0 {
			t.Fatalf("backup: %d %s %s", code, out, errOut)
		}
		ended := time.Now()
		time.Sleep(100 * time.Millisecond) // writes go on after the backup too
		stop()
		<-done
		if _, err := load.progress(); err != nil {
			t.Fatalf("write load: %v", err)
		}
		mustHave, total := load.before(started)
		during, _ := load.before(ended)
		t.Logf("%d items acknowledged before the backup, %d during it, %d in all; backup took %s", len(mustHave), len(during)-len(mustHave), total, ended.Sub(started))
		dst := freshTarget(t, dialect)
		if out, errOut, code := havenCLI("restore", "--db", dst.db, "--data", dst.data, file); code != 0 {
			t.Fatalf("restore: %d %s %s", code, out, errOut)
		}
		key := filepath.Join(src.data, "master.key")
		if out, errOut, code := havenCLI("audit", "verify", "--db", dst.db, "--data", dst.data, "--master-key-file", key); code != 0 || !strings.Contains(out, "intact") {
			t.Fatalf("audit verify on the restored copy: %d %s %s", code, out, errOut)
		}
		restored := serveRestored(t, dst, key)
		for _, x := range mustHave {
			checkRestoredItem(t, restored, x)
		}
	})
}

// serveRestored starts a server on a restored copy and returns a client with an admin token.
func serveRestored(t *testing.T, dst target, keyFile string) *apiClient {
	t.Helper()
	e := &env{ctx: context.Background(), stdout: io.Discard, stderr: io.Discard, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cmd := ServeCmd{DBFlags: DBFlags{DB: dst.db, Data: dst.data, MasterKeyFile: keyFile}}
	a, err := cmd.prepare(e)
	if err != nil {
		t.Fatalf("serve the restored copy: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	token, _, err := a.svc.CreateTokenAsSystem(e.ctx, "admin", "restored", false)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newServer(e, a, webOptions{}).Handler())
	t.Cleanup(srv.Close)
	return &apiClient{t: t, base: srv.URL, token: token, data: dst.data, app: a, env: e}
}

// checkRestoredItem finds an acknowledged case, message or attachment (its bytes) in the restored copy.
func checkRestoredItem(t *testing.T, c *apiClient, x ackedItem) {
	t.Helper()
	switch x.kind {
	case "case":
		if st, body := c.do("GET", "/api/v1/cases/"+x.number, nil); st != 200 {
			t.Fatalf("case %s acknowledged before the backup is not in the restored copy: %d %v", x.number, st, body)
		}
	case "message":
		st, body := c.do("GET", "/api/v1/cases/"+x.number+"/messages", nil)
		raw, _ := json.Marshal(body)
		if st != 200 || !strings.Contains(string(raw), x.content) {
			t.Fatalf("message of case %s acknowledged before the backup is missing: %d %s", x.number, st, raw)
		}
	case "attachment":
		st, list := c.do("GET", "/api/v1/cases/"+x.number+"/attachments", nil)
		if st != 200 || len(items(list)) != 1 {
			t.Fatalf("attachment of case %s acknowledged before the backup is missing: %d %v", x.number, st, list)
		}
		id := jsonNumber(items(list)[0].(map[string]any)["id"])
		if got := download(t, c, "/api/v1/cases/"+x.number+"/attachments/"+id); got != x.content {
			t.Fatalf("attachment of case %s restored with other bytes: %q", x.number, got)
		}
	}
}

func download(t *testing.T, c *apiClient, path string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, got)
	}
	return string(got)
}

// smallBackup makes a server with one case (title marker), a message and an attachment, and
// backs it up with extra arguments; it returns the file.
func smallBackup(t *testing.T, c *apiClient, src target, marker string, args ...string) string {
	t.Helper()
	number := mustCreateCase(c, map[string]any{"title": "backup " + marker})
	mustPost(c, "/api/v1/cases/"+number+"/messages", map[string]any{"direction": "in", "text": "hello " + marker})
	if st, body := c.do("POST", "/api/v1/cases/"+number+"/attachments", formFile{"a.txt", "file " + marker}); st != 201 {
		t.Fatalf("upload: %d %v", st, body)
	}
	file := filepath.Join(t.TempDir(), "haven.backup")
	all := append([]string{"backup", "--db", src.db, "--data", src.data, "--out", file}, args...)
	if out, errOut, code := havenCLI(all...); code != 0 {
		t.Fatalf("backup: %d %s %s", code, out, errOut)
	}
	return file
}

// TestBackupRefusesToOverwrite: neither backup nor restore replaces anything; the error names
// what exists.
func TestBackupRefusesToOverwrite(t *testing.T) {
	forEachBackupDB(t, func(t *testing.T, c *apiClient, src target, dialect string) {
		file := smallBackup(t, c, src, "zqoverwrite")
		before, _ := os.ReadFile(file)
		_, errOut, code := havenCLI("backup", "--db", src.db, "--data", src.data, "--out", file)
		if after, _ := os.ReadFile(file); code == 0 || !strings.Contains(errOut, "refusing to overwrite "+file) || !bytes.Equal(before, after) {
			t.Fatalf("backup over an existing file: %d %s", code, errOut)
		}
		// A --data without the attachments would make a backup without them: refused.
		elsewhere := filepath.Join(t.TempDir(), "backup")
		if _, errOut, code := havenCLI("backup", "--db", src.db, "--data", t.TempDir(), "--out", elsewhere); code == 0 || !strings.Contains(errOut, "no attachment store") {
			t.Fatalf("backup with the wrong --data: %d %s", code, errOut)
		}
		if left, _ := os.ReadDir(filepath.Dir(elsewhere)); len(left) > 0 {
			t.Fatalf("a failed backup left %s behind", left[0].Name())
		}
		// Restoring over the live copy: the database (file or tables) and the attachments are named.
		_, errOut, code = havenCLI("restore", "--db", src.db, "--data", src.data, file)
		want := filepath.Join(src.data, "files")
		if dialect == "sqlite" {
			want = src.db
		}
		if code == 0 || !strings.Contains(errOut, "refusing to restore") || !strings.Contains(errOut, want) {
			t.Fatalf("restore over existing data: %d %s", code, errOut)
		}
		if dialect == "postgres" && !strings.Contains(errOut, "tables (public.") {
			t.Fatalf("restore over a database with tables must name them: %s", errOut)
		}
		dst := freshTarget(t, dialect)
		if out, errOut, code := havenCLI("restore", "--db", dst.db, "--data", dst.data, file); code != 0 {
			t.Fatalf("restore into an empty target: %d %s %s", code, out, errOut)
		}
		if _, errOut, code := havenCLI("restore", "--db", dst.db, "--data", dst.data, file); code == 0 || !strings.Contains(errOut, "refusing to restore") {
			t.Fatalf("second restore into the same target: %d %s", code, errOut)
		}
	})
}

// TestBackupVerify: verify passes on a good backup and fails, exit 1, on a flipped byte anywhere,
// a truncated file, or a master key that is not the database's.
func TestBackupVerify(t *testing.T) {
	forEachBackupDB(t, func(t *testing.T, c *apiClient, src target, dialect string) {
		file := smallBackup(t, c, src, "zqverify")
		key := filepath.Join(src.data, "master.key")
		args := []string{"backup", "verify", "--master-key-file", key}
		if dialect == "postgres" {
			args = append(args, "--scratch-db", testenv.Postgres(t))
		}
		out, errOut, code := havenCLI(append(args, file)...)
		if code != 0 || !strings.Contains(out, "backup OK") || !strings.Contains(out, "audit chain: intact") || !strings.Contains(out, "1 cases, 1 messages, 1 attachments") {
			t.Fatalf("verify a good backup: %d %s %s", code, out, errOut)
		}
		raw, _ := os.ReadFile(file)
		for _, at := range []int{10, len(raw) / 3, len(raw) / 2, len(raw) - 10} {
			bad := bytes.Clone(raw)
			bad[at] ^= 0x01
			if out, errOut, code := havenCLI("backup", "verify", "--no-audit", writeTemp(t, bad)); code == 0 || strings.Contains(out, "backup OK") {
				t.Fatalf("a byte flipped at %d of %d went unnoticed: %s %s", at, len(raw), out, errOut)
			}
		}
		if _, errOut, code := havenCLI("backup", "verify", "--no-audit", writeTemp(t, raw[:len(raw)*2/3])); code == 0 || !strings.Contains(errOut, "damaged or incomplete") {
			t.Fatalf("a truncated backup went unnoticed: %s", errOut)
		}
		if dialect == "sqlite" { // the chain's links are keyed: another key cannot vouch for them
			other := filepath.Join(t.TempDir(), "other.key")
			keyOut, _, _ := havenCLI("key", "generate")
			_ = os.WriteFile(other, []byte(keyOut), 0o600)
			if _, errOut, code := havenCLI("backup", "verify", "--master-key-file", other, file); code == 0 || !strings.Contains(errOut, "wrong master key") {
				t.Fatalf("verify with another master key: %d %s", code, errOut)
			}
		}
	})
}

func writeTemp(t *testing.T, b []byte) string {
	path := filepath.Join(t.TempDir(), "copy.backup")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBackupEncrypted: encrypted to an age recipient, the file shows nothing that the plain one
// does (a case title, the manifest); it verifies and restores with the identity, and not without.
// Neither holds the master key.
func TestBackupEncrypted(t *testing.T) {
	forEachBackupDB(t, func(t *testing.T, c *apiClient, src target, dialect string) {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		idFile := writeTemp(t, []byte(id.String()+"\n"))
		plain := smallBackup(t, c, src, "zqplainmarker")
		sealed := filepath.Join(t.TempDir(), "sealed.backup")
		if out, errOut, code := havenCLI("backup", "--db", src.db, "--data", src.data, "--out", sealed, "--age-recipient", id.Recipient().String()); code != 0 {
			t.Fatalf("encrypted backup: %d %s %s", code, out, errOut)
		}
		masterKey, _ := os.ReadFile(filepath.Join(src.data, "master.key"))
		plainBytes := decompress(t, mustRead(t, plain))
		for _, marker := range []string{"zqplainmarker", `"format": "haven-backup"`} {
			if !bytes.Contains(plainBytes, []byte(marker)) {
				t.Fatalf("the unencrypted backup should show %q (else this test proves nothing)", marker)
			}
			if raw := mustRead(t, sealed); bytes.Contains(raw, []byte(marker)) {
				t.Fatalf("the encrypted backup shows %q", marker)
			}
		}
		if secret := strings.TrimSpace(string(masterKey)); bytes.Contains(plainBytes, []byte(secret[strings.LastIndex(secret, ":")+1:])) {
			t.Fatal("the backup holds the master key")
		}
		if _, errOut, code := havenCLI("backup", "verify", "--no-audit", sealed); code == 0 || !strings.Contains(errOut, "--age-identity") {
			t.Fatalf("verify an encrypted backup without the identity: %d %s", code, errOut)
		}
		other, _ := age.GenerateX25519Identity()
		if _, errOut, code := havenCLI("backup", "verify", "--no-audit", "--age-identity", writeTemp(t, []byte(other.String())), sealed); code == 0 || !strings.Contains(errOut, "cannot decrypt") {
			t.Fatalf("verify with another identity: %d %s", code, errOut)
		}
		if out, errOut, code := havenCLI("backup", "verify", "--no-audit", "--age-identity", idFile, sealed); code != 0 || !strings.Contains(out, "backup OK") {
			t.Fatalf("verify with the identity: %d %s %s", code, out, errOut)
		}
		dst := freshTarget(t, dialect)
		if out, errOut, code := havenCLI("restore", "--db", dst.db, "--data", dst.data, "--age-identity", idFile, sealed); code != 0 {
			t.Fatalf("restore the encrypted backup: %d %s %s", code, out, errOut)
		}
		restored := serveRestored(t, dst, filepath.Join(src.data, "master.key"))
		st, page := restored.do("GET", "/api/v1/cases", nil)
		if raw, _ := json.Marshal(page); st != 200 || !strings.Contains(string(raw), "zqplainmarker") {
			t.Fatalf("the restored copy lacks the case: %d %s", st, raw)
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decompress(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := zstd.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBackupErasureReapplied follows docs/operations.md ("Backups and erasure"): a requester
// erased after a backup is back when that backup is restored, until the erasures recorded as ids
// (audit export of requester.erased) are applied again.
func TestBackupErasureReapplied(t *testing.T) {
	forEachBackupDB(t, func(t *testing.T, c *apiClient, src target, dialect string) {
		st, cs := c.do("POST", "/api/v1/cases", map[string]any{"title": "erasure", "requester": map[string]any{"name": "Zqerased Person"}})
		if st != 201 {
			t.Fatalf("create case: %d %v", st, cs)
		}
		id := jsonNumber(cs["requester_id"])
		file := filepath.Join(t.TempDir(), "before-erasure.backup")
		key := filepath.Join(src.data, "master.key")
		if _, errOut, code := havenCLI("backup", "--db", src.db, "--data", src.data, "--out", file); code != 0 {
			t.Fatalf("backup: %s", errOut)
		}
		on := func(tg target, args ...string) (string, string, int) {
			return havenCLI(append(args, "--db", tg.db, "--data", tg.data, "--master-key-file", key)...)
		}
		if _, errOut, code := on(src, "requester", "erase", "--yes", id); code != 0 {
			t.Fatalf("erase: %s", errOut)
		}
		ledger, errOut, code := on(src, "audit", "export", "--action", "requester.erased")
		var ev struct {
			ObjectID string `json:"object_id"`
		}
		if code != 0 || json.Unmarshal([]byte(strings.TrimSpace(ledger)), &ev) != nil || ev.ObjectID != id {
			t.Fatalf("the erasure ledger: %d %s %q", code, errOut, ledger)
		}
		dst := freshTarget(t, dialect)
		if _, errOut, code := havenCLI("restore", "--db", dst.db, "--data", dst.data, file); code != 0 {
			t.Fatalf("restore: %s", errOut)
		}
		if out, _, _ := on(dst, "requester", "export", id); !strings.Contains(out, "Zqerased Person") {
			t.Fatalf("the backup predates the erasure, so the restored copy should hold the person: %s", out)
		}
		if _, errOut, code := on(dst, "requester", "erase", "--yes", ev.ObjectID); code != 0 {
			t.Fatalf("erase again on the restored copy: %s", errOut)
		}
		if out, _, _ := on(dst, "requester", "export", id); strings.Contains(out, "Zqerased") || !strings.Contains(out, "erased_at") {
			t.Fatalf("the erasure was not applied again: %s", out)
		}
	})
}
