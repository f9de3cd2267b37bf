package attack

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLookupKnownTechniques(t *testing.T) {
	tests := []struct {
		id, wantID, wantName string
		matrix               Matrix
		tactic               string // one tactic the technique must list
	}{
		{"T1566", "T1566", "Phishing", Enterprise, "initial-access"},
		{"t1566.001", "T1566.001", "Spearphishing Attachment", Enterprise, "initial-access"},
		{" T1078 ", "T1078", "Valid Accounts", Enterprise, "persistence"},
		{"T1660", "T1660", "Phishing", Mobile, "initial-access"},
		{"T1417", "T1417", "Input Capture", Mobile, "collection"},
	}
	for _, tt := range tests {
		got, ok := Lookup(tt.id)
		if !ok {
			t.Errorf("Lookup(%q) not found", tt.id)
			continue
		}
		if got.ID != tt.wantID || got.Name != tt.wantName || got.Matrix != tt.matrix {
			t.Errorf("Lookup(%q) = %s %q %s, want %s %q %s", tt.id, got.ID, got.Name, got.Matrix, tt.wantID, tt.wantName, tt.matrix)
		}
		if !slices.Contains(got.Tactics, tt.tactic) {
			t.Errorf("Lookup(%q).Tactics = %v, want it to include %q", tt.id, got.Tactics, tt.tactic)
		}
		if !Valid(tt.id) {
			t.Errorf("Valid(%q) = false", tt.id)
		}
	}
}

// Tactics are listed in the matrix's column order, whatever order the source listed them in.
func TestTacticsInMatrixOrder(t *testing.T) {
	tests := []struct {
		id      string
		matrix  Matrix
		tactics []string
	}{
		{"T1078", Enterprise, []string{"initial-access", "persistence", "privilege-escalation", "defense-evasion"}},
		{"T1556.001", Enterprise, []string{"persistence", "defense-evasion", "credential-access"}},
		{"T1616", Mobile, []string{"collection", "command-and-control", "impact"}},
		{"T1631.001", Mobile, []string{"privilege-escalation", "defense-evasion"}},
	}
	for _, tt := range tests {
		got, ok := Lookup(tt.id)
		if !ok || got.Matrix != tt.matrix || !slices.Equal(got.Tactics, tt.tactics) {
			t.Errorf("Lookup(%s) = %s %v (found %v), want %s %v", tt.id, got.Matrix, got.Tactics, ok, tt.matrix, tt.tactics)
		}
	}
}

func TestUnknownIDs(t *testing.T) {
	for _, id := range []string{"", "T0000", "T9999.999", "T1566.9", "TA0001", "phishing", "T1193"} { // T1193: revoked
		if _, ok := Lookup(id); ok {
			t.Errorf("Lookup(%q) found, want not found", id)
		}
		if Valid(id) {
			t.Errorf("Valid(%q) = true", id)
		}
	}
}

func TestDataShape(t *testing.T) {
	idRe := regexp.MustCompile(`^T\d{4}(\.\d{3})?$`)
	tacticRe := regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	count := map[Matrix]int{}
	seen := map[Matrix]map[string]bool{Enterprise: {}, Mobile: {}}
	all := All()
	for i, te := range all {
		count[te.Matrix]++
		if !idRe.MatchString(te.ID) {
			t.Errorf("bad id %q", te.ID)
		}
		if seen[te.Matrix][te.ID] {
			t.Errorf("%s listed twice in %s", te.ID, te.Matrix)
		}
		seen[te.Matrix][te.ID] = true
		if strings.TrimSpace(te.Name) != te.Name || te.Name == "" {
			t.Errorf("%s: bad name %q", te.ID, te.Name)
		}
		if len(te.Tactics) == 0 {
			t.Errorf("%s %s has no tactic", te.Matrix, te.ID)
		}
		for _, ta := range te.Tactics {
			if !tacticRe.MatchString(ta) {
				t.Errorf("%s: bad tactic %q", te.ID, ta)
			}
		}
		if i > 0 {
			prev := all[i-1]
			if prev.ID > te.ID || (prev.ID == te.ID && !(prev.Matrix == Enterprise && te.Matrix == Mobile)) {
				t.Errorf("All not sorted at %d: %s/%s before %s/%s", i, prev.ID, prev.Matrix, te.ID, te.Matrix)
			}
		}
	}
	// The shipped data has 691 Enterprise (ATT&CK 18.0) and 124 Mobile entries, sub-techniques
	// included; the bounds catch a truncated or duplicated file but let a refresh move the counts.
	if count[Enterprise] < 600 || count[Enterprise] > 800 {
		t.Errorf("Enterprise has %d techniques, want 600..800", count[Enterprise])
	}
	if count[Mobile] < 70 || count[Mobile] > 130 {
		t.Errorf("Mobile has %d techniques, want 70..130", count[Mobile])
	}
	// Every sub-technique's parent is in the same matrix.
	for m, ids := range seen {
		for id := range ids {
			if parent, _, sub := strings.Cut(id, "."); sub && !ids[parent] {
				t.Errorf("%s %s has no parent %s", m, id, parent)
			}
		}
	}
}

func TestSharedIDPrefersEnterprise(t *testing.T) {
	byID := map[string][]Matrix{}
	for _, te := range All() {
		byID[te.ID] = append(byID[te.ID], te.Matrix)
	}
	for id, ms := range byID {
		if len(ms) < 2 {
			continue
		}
		if got, _ := Lookup(id); got.Matrix != Enterprise {
			t.Errorf("Lookup(%s).Matrix = %s, want enterprise (id is in %v)", id, got.Matrix, ms)
		}
	}
}

func TestSearch(t *testing.T) {
	tests := []struct {
		q     string
		limit int
		want  string // an id that must be in the result
		max   int    // most results allowed
	}{
		{"T1566", 0, "T1566.002", 10},
		{"t1566.00", 0, "T1566.001", 10},
		{"spearphishing attach", 0, "T1566.001", 5},
		{"VALID ACCOUNTS", 0, "T1078", 10},
		{"input capture", 0, "T1417", 20},
		{"phishing", 3, "", 3},
	}
	for _, tt := range tests {
		got := Search(tt.q, tt.limit)
		if len(got) == 0 || len(got) > tt.max {
			t.Errorf("Search(%q, %d) returned %d results, want 1..%d", tt.q, tt.limit, len(got), tt.max)
			continue
		}
		if tt.want != "" && !slices.ContainsFunc(got, func(te Technique) bool { return te.ID == tt.want }) {
			t.Errorf("Search(%q) = %v, want it to include %s", tt.q, ids(got), tt.want)
		}
	}
	if got := Search("  ", 0); got != nil {
		t.Errorf("Search(blank) = %v, want nil", ids(got))
	}
	if got := Search("no such technique anywhere", 0); len(got) != 0 {
		t.Errorf("Search(nonsense) = %v, want none", ids(got))
	}
}

func ids(ts []Technique) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t.Matrix) + "/" + t.ID
	}
	return out
}

func TestFormats(t *testing.T) {
	tests := []struct {
		te                  Technique
		url, source, galaxy string
	}{
		{Technique{ID: "T1566", Name: "Phishing", Matrix: Enterprise},
			"https://attack.mitre.org/techniques/T1566/", "mitre-attack",
			`misp-galaxy:mitre-attack-pattern="Phishing - T1566"`},
		{Technique{ID: "T1566.001", Name: "Spearphishing Attachment", Matrix: Enterprise},
			"https://attack.mitre.org/techniques/T1566/001/", "mitre-attack",
			`misp-galaxy:mitre-attack-pattern="Spearphishing Attachment - T1566.001"`},
		{Technique{ID: "T1660", Name: "Phishing", Matrix: Mobile},
			"https://attack.mitre.org/techniques/T1660/", "mitre-mobile-attack",
			`misp-galaxy:mitre-attack-pattern="Phishing - T1660"`},
	}
	for _, tt := range tests {
		if got := tt.te.URL(); got != tt.url {
			t.Errorf("%s URL() = %q, want %q", tt.te.ID, got, tt.url)
		}
		if got := tt.te.SourceName(); got != tt.source {
			t.Errorf("%s SourceName() = %q, want %q", tt.te.ID, got, tt.source)
		}
		if got := tt.te.MISPTag(); got != tt.galaxy {
			t.Errorf("%s MISPTag() = %q, want %q", tt.te.ID, got, tt.galaxy)
		}
	}
}

// Callers get copies: changing a returned Tactics slice must not change the catalogue.
func TestResultsAreCopies(t *testing.T) {
	a, _ := Lookup("T1566")
	a.Tactics[0] = "changed"
	if b, _ := Lookup("T1566"); b.Tactics[0] == "changed" {
		t.Error("Lookup shares its Tactics slice with callers")
	}
}

func TestParseTSVRejectsMalformedLines(t *testing.T) {
	for _, in := range []string{"T1566\tPhishing\n", "\tPhishing\tinitial-access\n", "T1566\t\tinitial-access\n"} {
		if _, err := parseTSV(Enterprise, in); err == nil {
			t.Errorf("parseTSV(%q) accepted a malformed line", in)
		}
	}
	got, err := parseTSV(Mobile, "# header\nT1660\tPhishing\tinitial-access\n")
	if err != nil || len(got) != 1 || got[0].Matrix != Mobile || got[0].Tactics[0] != "initial-access" {
		t.Errorf("parseTSV(good) = %v, %v", got, err)
	}
}
