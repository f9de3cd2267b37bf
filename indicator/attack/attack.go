// Package attack is the MITRE ATT&CK technique list — ids, names and tactics of the Enterprise
// and Mobile matrices, sub-techniques included, revoked and deprecated ones left out — shipped
// inside the binary so that a helpline can tag a case with a technique without reaching the
// internet. The data is two small TSV files under data/; data/SOURCE.md says which release and
// which source each came from, and gen.go rebuilds them from MITRE's STIX bundles.
//
// ATT&CK® is © The MITRE Corporation, reproduced and distributed with its permission under the
// ATT&CK terms of use (see data/SOURCE.md).
package attack

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Matrix names an ATT&CK domain.
type Matrix string

// The matrices this package ships. ICS is left out: helplines see phones and accounts, not plants.
const (
	Enterprise Matrix = "enterprise"
	Mobile     Matrix = "mobile"
)

// Technique is one technique or sub-technique of one matrix.
type Technique struct {
	ID      string   // "T1566" or "T1566.001"
	Name    string   // "Phishing"; a sub-technique's own name, without its parent's
	Matrix  Matrix   // the matrix the entry comes from
	Tactics []string // tactic short names in ATT&CK's order, e.g. "initial-access"
}

//go:embed data/enterprise.tsv
var enterpriseTSV string

//go:embed data/mobile.tsv
var mobileTSV string

// catalogue is the parsed data: every technique sorted by id then matrix, and an index by
// upper-case id whose entry is the Enterprise one when both matrices use an id.
type catalogue struct {
	all  []Technique
	byID map[string]Technique
}

// load parses the embedded files on first use, so importing the package costs nothing until a
// lookup is made. The data is fixed at build time and checked by the tests, so a malformed line
// is a build defect and panics rather than being skipped silently.
var load = sync.OnceValue(func() catalogue {
	var c catalogue
	for _, f := range []struct {
		m   Matrix
		tsv string
	}{{Enterprise, enterpriseTSV}, {Mobile, mobileTSV}} {
		ts, err := parseTSV(f.m, f.tsv)
		if err != nil {
			panic(err)
		}
		c.all = append(c.all, ts...)
	}
	slices.SortFunc(c.all, func(a, b Technique) int {
		if n := strings.Compare(a.ID, b.ID); n != 0 {
			return n
		}
		return matrixRank(a.Matrix) - matrixRank(b.Matrix)
	})
	c.byID = make(map[string]Technique, len(c.all))
	for _, t := range c.all {
		if _, dup := c.byID[t.ID]; !dup { // sorted Enterprise first, so Enterprise wins
			c.byID[t.ID] = t
		}
	}
	return c
})

// matrixRank orders the matrices: Enterprise before Mobile.
func matrixRank(m Matrix) int {
	if m == Enterprise {
		return 0
	}
	return 1
}

// parseTSV reads "id<TAB>name<TAB>tactic,tactic" lines; lines starting with '#' say where the
// data came from and are skipped.
func parseTSV(m Matrix, tsv string) ([]Technique, error) {
	var out []Technique
	for n, line := range strings.Split(tsv, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[0] == "" || f[1] == "" {
			return nil, fmt.Errorf("attack: data/%s.tsv line %d: want id, name and tactics", m, n+1)
		}
		t := Technique{ID: f[0], Name: f[1], Matrix: m}
		if f[2] != "" {
			t.Tactics = strings.Split(f[2], ",")
		}
		out = append(out, t)
	}
	return out, nil
}

// clone gives callers their own Tactics slice, so no caller can change what another one sees.
func clone(t Technique) Technique {
	t.Tactics = slices.Clone(t.Tactics)
	return t
}

// Lookup finds a technique by id, in any case ("t1566.001"). Where the Enterprise and Mobile
// matrices share an id, the Enterprise technique is returned; All lists both.
func Lookup(id string) (Technique, bool) {
	t, ok := load().byID[strings.ToUpper(strings.TrimSpace(id))]
	if !ok {
		return Technique{}, false
	}
	return clone(t), true
}

// Valid reports whether id names a current technique of either matrix.
func Valid(id string) bool {
	_, ok := load().byID[strings.ToUpper(strings.TrimSpace(id))]
	return ok
}

// All returns every technique of both matrices, sorted by id and then matrix (Enterprise first).
func All() []Technique {
	all := load().all
	out := make([]Technique, len(all))
	for i, t := range all {
		out[i] = clone(t)
	}
	return out
}

// Search returns the techniques whose id starts with q or whose name contains q, both without
// regard to case, in the order of All. At most limit are returned; limit <= 0 means no limit.
// A blank query matches nothing, so a picker does not list the whole catalogue on an empty box.
func Search(q string, limit int) []Technique {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil
	}
	upper, lower := strings.ToUpper(q), strings.ToLower(q)
	var out []Technique
	for _, t := range load().all {
		if strings.HasPrefix(t.ID, upper) || strings.Contains(strings.ToLower(t.Name), lower) {
			out = append(out, clone(t))
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out
}

// URL returns the technique's page on the ATT&CK site, e.g.
// https://attack.mitre.org/techniques/T1566/001/ — the site serves both matrices under one path.
func (t Technique) URL() string {
	return "https://attack.mitre.org/techniques/" + strings.Replace(t.ID, ".", "/", 1) + "/"
}

// SourceName is the STIX external_references source_name that carries the id in MITRE's
// STIX 2.0 data: "mitre-attack" for Enterprise, "mitre-mobile-attack" for Mobile.
func (t Technique) SourceName() string {
	if t.Matrix == Mobile {
		return "mitre-mobile-attack"
	}
	return "mitre-attack"
}

// MISPTag is the MISP galaxy tag for the technique, e.g.
// misp-galaxy:mitre-attack-pattern="Phishing - T1566"; MISP's cluster values are "name - id"
// for techniques and sub-techniques of every matrix alike.
func (t Technique) MISPTag() string {
	return `misp-galaxy:mitre-attack-pattern="` + t.Name + ` - ` + t.ID + `"`
}
