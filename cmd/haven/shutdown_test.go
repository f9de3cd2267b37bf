package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// TestSIGTERMUnderLoad stops a serving Haven with SIGTERM while clients create cases: it must exit
// 0, and every case it acknowledged (201) must be there when it starts again.
func TestSIGTERMUnderLoad(t *testing.T) {
	bin := buildHaven(t)
	forEachDatabase(t, bin, func(t *testing.T, db string) {
		token := adminToken(t, bin, db)
		addr := freeAddr(t)
		cmd := exec.Command(bin, "serve", "--listen", addr, "--shutdown-drain", "30s")
		cmd.Env = append(os.Environ(), "HAVEN_DB="+db)
		var logs bytes.Buffer
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitHealthy(t, addr, &logs)
		acked := createUntilRefused(t, addr, token, func() {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Error(err)
			}
		})
		if err := cmd.Wait(); err != nil {
			t.Fatalf("haven must exit 0 after SIGTERM: %v\n%s", err, logs.String())
		}
		if !strings.Contains(logs.String(), "shutting down") {
			t.Fatalf("no shutdown in the logs:\n%s", logs.String())
		}
		if len(acked) < 20 {
			t.Fatalf("only %d cases acknowledged before the stop", len(acked))
		}
		assertCasesExist(t, bin, db, token, acked)
	})
}

// adminToken creates an admin and an API token for it.
func adminToken(t *testing.T, bin, db string) string {
	t.Helper()
	if _, errOut, err := runHaven(t, bin, nil, "migrate", "--db", db); err != nil {
		t.Fatalf("migrate: %v %s", err, errOut)
	}
	if _, errOut, err := runHaven(t, bin, []string{"HAVEN_PASSWORD=a long password here"}, "user", "add", "--db", db, "--role", "admin", "alice"); err != nil {
		t.Fatalf("user add: %v %s", err, errOut)
	}
	token, errOut, err := runHaven(t, bin, nil, "token", "create", "--db", db, "--user", "alice")
	if err != nil {
		t.Fatalf("token create: %v %s", err, errOut)
	}
	return strings.TrimSpace(token)
}

// createUntilRefused runs 8 clients creating cases; after 20 acknowledgements it calls stop, and
// the clients go on until the server refuses connections. It returns the acknowledged numbers.
func createUntilRefused(t *testing.T, addr, token string, stop func()) []string {
	t.Helper()
	var mu sync.Mutex
	var acked []string
	var once sync.Once
	var wg sync.WaitGroup
	client := &http.Client{}
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				number, err := createCase(client, addr, token, fmt.Sprintf("Stop test %d-%d", w, i))
				if err != nil {
					return // refused or cut: not acknowledged
				}
				if number == "" {
					continue // answered, but not created (e.g. 503 while stopping)
				}
				mu.Lock()
				acked = append(acked, number)
				n := len(acked)
				mu.Unlock()
				if n == 20 {
					once.Do(stop)
				}
			}
		}()
	}
	wg.Wait()
	return acked
}

func createCase(client *http.Client, addr, token, title string) (string, error) {
	body, _ := json.Marshal(map[string]any{"title": title, "summary": "Phishing email received."})
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v1/cases", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Number string `json:"number"`
	}
	if resp.StatusCode != http.StatusCreated || json.NewDecoder(resp.Body).Decode(&out) != nil {
		return "", nil
	}
	return out.Number, nil
}

// assertCasesExist starts Haven again and reads every acknowledged case.
func assertCasesExist(t *testing.T, bin, db, token string, numbers []string) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--listen", addr)
	cmd.Env = append(os.Environ(), "HAVEN_DB="+db)
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
	waitHealthy(t, addr, &logs)
	for _, n := range numbers {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/cases/"+n, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("acknowledged case %s lost: HTTP %d", n, resp.StatusCode)
		}
	}
}
