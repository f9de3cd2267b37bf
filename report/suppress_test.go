package report

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// table builds a Table with labels r0, r1, … and c0, c1, ….
func table(cells ...[]int) Table {
	t := Table{Cells: cells}
	for r := range cells {
		t.Rows = append(t.Rows, fmt.Sprintf("r%d", r))
	}
	if len(cells) > 0 {
		for c := range cells[0] {
			t.Cols = append(t.Cols, fmt.Sprintf("c%d", c))
		}
	}
	return t
}

// extended is a published table as one grid with its totals, as an attacker reads it: row r's
// total is at [r][cols], column c's at [rows][c] and the grand total at [rows][cols].
func extended(p Published) [][]Cell {
	g := make([][]Cell, len(p.Cells)+1)
	for r, row := range p.Cells {
		g[r] = append(append([]Cell(nil), row...), p.RowTotals[r])
	}
	g[len(p.Cells)] = append(append([]Cell(nil), p.ColTotals...), p.Total)
	return g
}

// truthGrid is the true table with its totals, computed here rather than by the code under test.
func truthGrid(t Table) [][]int {
	R, C := len(t.Cells), len(t.Cols)
	g := make([][]int, R+1)
	for r := range g {
		g[r] = make([]int, C+1)
	}
	for r := range R {
		for c := range C {
			v := t.Cells[r][c]
			g[r][c], g[r][C], g[R][c], g[R][C] = v, g[r][C]+v, g[R][c]+v, g[R][C]+v
		}
	}
	return g
}

// pattern draws which numbers are published ('.'), primary-suppressed ('P') or complementary
// ('C'), one string per row with the totals last.
func pattern(p Published) []string {
	var out []string
	for _, row := range extended(p) {
		var b strings.Builder
		for _, c := range row {
			switch {
			case !c.Suppressed:
				b.WriteByte('.')
			case c.Primary:
				b.WriteByte('P')
			default:
				b.WriteByte('C')
			}
		}
		out = append(out, b.String())
	}
	return out
}

// attackModel is what the attacker knows, as an LP over the suppressed numbers (in grid order):
// every line of the grid sums to its total, published numbers are constants, a primary number is
// from 1 to K-1 and a complementary one at least K. It uses only what is published.
func attackModel(p Published) (linProg, []pos) {
	g := extended(p)
	R, C := len(g)-1, len(g[0])-1
	index := map[pos]int{}
	var vars []pos
	var prob linProg
	for r := range R + 1 {
		for c := range C + 1 {
			if cell := g[r][c]; cell.Suppressed {
				index[pos{r, c}] = len(vars)
				vars = append(vars, pos{r, c})
				lo, hi := float64(p.K), math.Inf(1)
				if cell.Primary {
					lo, hi = 1, float64(p.K-1)
				}
				prob.lo, prob.hi = append(prob.lo, lo), append(prob.hi, hi)
			}
		}
	}
	// Each line: the sum of its first entries minus its last is 0.
	addLine := func(ps []pos) {
		row := make([]float64, len(vars))
		rhs, unknown := 0.0, false
		for i, q := range ps {
			sign := 1.0
			if i == len(ps)-1 {
				sign = -1
			}
			if v, ok := index[q]; ok {
				row[v], unknown = sign, true
			} else {
				rhs -= sign * float64(g[q.r][q.c].Value)
			}
		}
		if unknown {
			prob.a, prob.b = append(prob.a, row), append(prob.b, rhs)
		}
	}
	for r := range R + 1 {
		var ps []pos
		for c := range C + 1 {
			ps = append(ps, pos{r, c})
		}
		addLine(ps)
	}
	for c := range C + 1 {
		var ps []pos
		for r := range R + 1 {
			ps = append(ps, pos{r, c})
		}
		addLine(ps)
	}
	return prob, vars
}

// exposure is the range an attacker can prove for one suppressed number.
type exposure struct {
	at       pos
	min, max float64 // max is +Inf when unbounded
}

// attack computes by linear programming, for every suppressed number of p, the smallest and
// largest value it can take in tables consistent with what is published. It fails the test if
// the LP says no such table exists, since the true table is one.
func attack(t *testing.T, name string, p Published) []exposure {
	t.Helper()
	prob, vars := attackModel(p)
	var out []exposure
	for v, at := range vars {
		lo, st := prob.extreme(v, false)
		if st != lpOptimal {
			t.Errorf("%s: attack on %v: minimum is %v", name, at, st)
			continue
		}
		hi, st := prob.extreme(v, true)
		switch st {
		case lpUnbounded:
			hi = math.Inf(1)
		case lpInfeasible:
			t.Errorf("%s: attack on %v: maximum is infeasible", name, at)
			continue
		}
		out = append(out, exposure{at, lo, hi})
	}
	return out
}

// assertProtected attacks every suppressed number of p and fails for any the attacker recovers
// (range narrower than 1) or whose range excludes the truth (a wrong attacker model). It returns
// the number of suppressed numbers attacked.
func assertProtected(t *testing.T, name string, truth Table, p Published) int {
	t.Helper()
	g := truthGrid(truth)
	exps := attack(t, name, p)
	for _, e := range exps {
		v := float64(g[e.at.r][e.at.c])
		if v < e.min-1e-6 || v > e.max+1e-6 {
			t.Errorf("%s: true value %v of %v outside the attacker's range [%v, %v]", name, v, e.at, e.min, e.max)
		}
		if e.max-e.min < 1-1e-6 {
			t.Errorf("%s: suppressed number at %v recovered: it must be %v", name, e.at, e.min)
		}
	}
	return len(exps)
}

// assertRules checks the publication rules that need no LP: every count from 1 to K-1 is hidden
// as primary and nothing else is, zeros are published, hidden numbers carry no value, and
// published ones (without rounding) are the true values.
func assertRules(t *testing.T, name string, truth Table, p Published) {
	t.Helper()
	g := truthGrid(truth)
	for r, row := range extended(p) {
		for c, cell := range row {
			v := g[r][c]
			small := v > 0 && v < p.K
			switch {
			case small != (cell.Suppressed && cell.Primary):
				t.Errorf("%s: entry %d,%d = %d: primary = %v", name, r, c, v, cell.Suppressed && cell.Primary)
			case v == 0 && cell.Suppressed:
				t.Errorf("%s: zero at %d,%d suppressed", name, r, c)
			case cell.Suppressed && cell.Value != 0:
				t.Errorf("%s: suppressed entry %d,%d leaks its value %d", name, r, c, cell.Value)
			case !cell.Suppressed && p.Round == 0 && cell.Value != v:
				t.Errorf("%s: entry %d,%d published as %d, want %d", name, r, c, cell.Value, v)
			}
		}
	}
}

func TestSuppressPatterns(t *testing.T) {
	tests := []struct {
		name string
		t    Table
		k    int
		want []string
	}{
		{
			name: "all large: untouched",
			t:    table([]int{10, 20, 30}, []int{40, 50, 60}),
			want: []string{"....", "....", "...."},
		},
		{
			// The small row's cell and total are both primary; the column then needs a
			// partner (the smallest cell, 20), whose row then needs its total hidden.
			name: "single column, one small row",
			t:    table([]int{3}, []int{20}, []int{30}),
			want: []string{"PP", "CC", "..", ".."},
		},
		{
			// One small cell needs three partners forming a rectangle: the smallest in its row
			// (40) and column (25), and the cell completing both of their lines (70).
			name: "3x3 rectangle",
			t:    table([]int{3, 40, 50}, []int{30, 20, 60}, []int{25, 70, 15}),
			want: []string{"PC..", "....", "CC..", "...."},
		},
		{
			// Row 0 is all small, so its total (6) is primary too. Each of its columns needs a
			// partner (row 2, which completes column after column), and the totals column
			// needs a second hidden row total besides 6: row 2's, whose row is already hidden.
			name: "row whose total is small",
			t:    table([]int{2, 3, 1}, []int{20, 30, 40}, []int{15, 25, 35}),
			want: []string{"PPPP", "....", "CCCC", "...."},
		},
		{
			// Zeros are published and never hidden, so partners come from the non-zero cells.
			// Column 0 holds only 5 besides zeros, so its total is 5 too (primary), and the
			// totals row needs a second hidden total: 110, which also completes column 2.
			name: "zeros",
			t:    table([]int{0, 3, 20}, []int{0, 12, 40}, []int{5, 30, 50}),
			want: []string{".PC.", "....", "PC..", "P.C."},
		},
		{
			// The greedy rectangle 1, 10 / 20, 10 pins everything: the 10s sit at the bound K
			// and sum to their column total 20, and then 1 + 10 = 11 pins the 1. The exact
			// check hides 30 to free the 1 (the greedy pass adds the other 30), then publishes
			// the two 10s again, which the attacker could work out anyway.
			name: "partner at its lower bound",
			t:    table([]int{1, 10, 30}, []int{20, 10, 30}),
			want: []string{"P.C.", "C.C.", "...."},
		},
		{
			name: "empty table",
			t:    Table{Cols: []string{"a", "b"}},
			want: []string{"..."},
		},
	}
	for _, tt := range tests {
		p, err := Suppress(tt.t, Options{K: tt.k})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if got := pattern(p); strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: pattern\n%s\nwant\n%s", tt.name, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
		assertRules(t, tt.name, tt.t, p)
		assertProtected(t, tt.name, tt.t, p)
	}
}

// skewedCount draws a count the way helpline tables look: many zeros and small counts, some
// counts near K and a long tail. Rows marked thin hold almost nothing, so totals are small too.
func skewedCount(rng *rand.Rand, k int, thin bool) int {
	switch x := rng.IntN(20); {
	case thin || x < 2:
		return rng.IntN(3)
	case x < 5:
		return 0
	case x < 12:
		return 1 + rng.IntN(k-1)
	case x < 17:
		return k + rng.IntN(2*k)
	default:
		return k + rng.IntN(400)
	}
}

// randomTable draws a table of 2×2 up to 8×6 with skewed counts.
func randomTable(rng *rand.Rand, k int) Table {
	cells := make([][]int, 2+rng.IntN(7))
	cols := 2 + rng.IntN(5)
	for r := range cells {
		thin := rng.IntN(6) == 0
		for range cols {
			cells[r] = append(cells[r], skewedCount(rng, k, thin))
		}
	}
	return table(cells...)
}

// allHidden is the publication that hides every non-zero number, the last resort.
func allHidden(truth Table, k int) Published {
	p := Published{K: k}
	g := truthGrid(truth)
	mark := func(v int) Cell {
		return Cell{Value: 0, Suppressed: v > 0, Primary: v > 0 && v < k}
	}
	R, C := len(truth.Cells), len(truth.Cols)
	for r := range R {
		var row []Cell
		for c := range C {
			row = append(row, mark(g[r][c]))
		}
		p.Cells = append(p.Cells, row)
		p.RowTotals = append(p.RowTotals, mark(g[r][C]))
	}
	for c := range C {
		p.ColTotals = append(p.ColTotals, mark(g[R][c]))
	}
	p.Total = mark(g[R][C])
	return p
}

// TestAttackRandomTables publishes many pseudo-random tables and tries to recover every
// suppressed number from what is published by linear programming; every attempt must fail.
// A table Suppress refuses (ErrUnprotectable) must really be unprotectable: hiding every
// non-zero number, which tells the attacker least, still lets the attacker recover a count below
// K.
func TestAttackRandomTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 11))
	ks := []int{10, 10, 5, 3}
	var tables, attacked, primaries, refused int
	for i := range 200 {
		k := ks[i%len(ks)]
		truth := randomTable(rng, k)
		name := fmt.Sprintf("table %d (K=%d) %v", i, k, truth.Cells)
		p, err := Suppress(truth, Options{K: k})
		if errors.Is(err, ErrUnprotectable) {
			refused++
			if !primaryRecovered(t, name, allHidden(truth, k)) {
				t.Errorf("%s: refused, but hiding every non-zero number protects it", name)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tables++
		assertRules(t, name, truth, p)
		attacked += assertProtected(t, name, truth, p)
		for _, row := range extended(p) {
			for _, c := range row {
				if c.Primary {
					primaries++
				}
			}
		}
	}
	t.Logf("%d tables published, %d refused as unprotectable; %d suppressed numbers attacked (%d primary), each by two LPs; none recovered",
		tables, refused, attacked, primaries)
	if tables < 150 || primaries < 500 {
		t.Errorf("the random tables are too tame to test anything: %d tables, %d primary suppressions", tables, primaries)
	}
}

// primaryRecovered reports whether the attacker recovers some primary-suppressed number of p.
func primaryRecovered(t *testing.T, name string, p Published) bool {
	g := extended(p)
	for _, e := range attack(t, name, p) {
		if g[e.at.r][e.at.c].Primary && e.max-e.min < 1-1e-6 {
			return true
		}
	}
	return false
}

// TestAttackRecoversNaiveSuppression shows the attack has teeth: hiding only the small numbers
// lets it recover them from the totals.
func TestAttackRecoversNaiveSuppression(t *testing.T) {
	truth := table([]int{3, 40, 50}, []int{30, 20, 60}, []int{25, 70, 15})
	p, err := Suppress(truth, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range p.Cells {
		for c := range row {
			if !row[c].Primary {
				row[c] = Cell{Value: truth.Cells[r][c]}
			}
		}
	}
	exps := attack(t, "naive", p)
	if len(exps) != 1 || exps[0].min != 3 || exps[0].max != 3 {
		t.Errorf("attack on primary-only suppression = %+v, want the 3 recovered", exps)
	}
}

func TestSuppressUnprotectable(t *testing.T) {
	// With K = 3 every number is "<3": the grand total 2 forces both row totals to 1.
	_, err := Suppress(table([]int{1, 0}, []int{0, 1}), Options{K: 3})
	if !errors.Is(err, ErrUnprotectable) {
		t.Fatalf("err = %v, want ErrUnprotectable", err)
	}
	// The default K leaves room: the same table is publishable as all "<10".
	p, err := Suppress(table([]int{1, 0}, []int{0, 1}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	assertProtected(t, "diagonal K=10", table([]int{1, 0}, []int{0, 1}), p)
}

func TestSuppressRounding(t *testing.T) {
	truth := table([]int{12, 13, 9}, []int{17, 28, 40})
	p, err := Suppress(truth, Options{Round: 5})
	if err != nil {
		t.Fatal(err)
	}
	// 9 is suppressed on its true value even though it would round to 10; its partners 12, 17
	// and 40 follow. The rest and the totals are rounded independently: 13 → 15, 28 → 30,
	// 34 → 35, 85 → 85, 29 → 30, 41 → 40, 49 → 50, 119 → 120.
	want := "x 15 <10 35 | x 30 x 85 | 30 40 50 120"
	var got []string
	for _, row := range extended(p) {
		var labels []string
		for _, c := range row {
			labels = append(labels, c.Label(p.K))
		}
		got = append(got, strings.Join(labels, " "))
	}
	if g := strings.Join(got, " | "); g != want {
		t.Errorf("rounded table = %q, want %q", g, want)
	}
	if p.Round != 5 {
		t.Errorf("Round = %d, want 5", p.Round)
	}
	// Suppression is decided on the true values: rounding changes no decision.
	plain, err := Suppress(truth, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := strings.Join(pattern(p), " "), strings.Join(pattern(plain), " "); a != b {
		t.Errorf("pattern with rounding %s, without %s", a, b)
	}
}

func TestRoundTo(t *testing.T) {
	tests := []struct{ v, base, want int }{
		{12, 5, 10}, {13, 5, 15}, {15, 5, 15}, {10, 4, 12}, {9, 4, 8}, {0, 5, 0},
		{47, 0, 47}, {47, 1, 47},
		{12, 50, 50}, // a non-zero count never becomes a "0"
		{math.MaxInt - 1, 4, math.MaxInt - 1 - (math.MaxInt-1)%4}, // rounds down rather than overflow
	}
	for _, tt := range tests {
		if got := roundTo(tt.v, tt.base); got != tt.want {
			t.Errorf("roundTo(%d, %d) = %d, want %d", tt.v, tt.base, got, tt.want)
		}
	}
}

func TestCellLabel(t *testing.T) {
	tests := []struct {
		c    Cell
		k    int
		want string
	}{
		{Cell{Value: 3100}, 10, "3100"},
		{Cell{Value: 0}, 10, "0"},
		{Cell{Suppressed: true, Primary: true}, 10, "<10"},
		{Cell{Suppressed: true, Primary: true}, 5, "<5"},
		{Cell{Suppressed: true}, 10, ComplementaryMark},
	}
	for _, tt := range tests {
		if got := tt.c.Label(tt.k); got != tt.want {
			t.Errorf("%+v.Label(%d) = %q, want %q", tt.c, tt.k, got, tt.want)
		}
	}
}

func TestSuppressInvalid(t *testing.T) {
	ok := table([]int{1, 2}, []int{3, 4})
	tests := []struct {
		name string
		t    Table
		o    Options
		want string
	}{
		{"K 1", ok, Options{K: 1}, "K = 1 is invalid"},
		{"K 2", ok, Options{K: 2}, "K = 2 is invalid"},
		{"K negative", ok, Options{K: -10}, "K = -10 is invalid"},
		{"negative rounding", ok, Options{Round: -5}, "rounding base -5 is invalid"},
		{"ragged", Table{Rows: []string{"a", "b"}, Cols: []string{"x", "y"}, Cells: [][]int{{1, 2}, {3}}}, Options{}, `row 1 ("b") has 1 cells, want 2`},
		{"row labels", Table{Rows: []string{"a"}, Cols: []string{"x"}, Cells: [][]int{{1}, {3}}}, Options{}, "1 row labels but 2 rows"},
		{"negative", table([]int{1, -2}, []int{3, 4}), Options{}, `cell "r0" × "c1" is negative (-2)`},
		{"too large", table([]int{math.MaxInt32, 1}), Options{}, "grand total exceeds"},
	}
	for _, tt := range tests {
		_, err := Suppress(tt.t, tt.o)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
		if errors.Is(err, ErrUnprotectable) {
			t.Errorf("%s: invalid input reported as unprotectable", tt.name)
		}
	}
}
