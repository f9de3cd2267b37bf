package report

import (
	"math"
	"testing"
)

// A small dense two-phase simplex for the attack test. It is written independently of the
// flow-based check in suppress.go, so that the test audits the suppression rather than repeating
// its reasoning. Sizes are tiny (tens of variables), so clarity wins over speed: reduced costs are
// recomputed every iteration, and Bland's rule (lowest index enters, ties leave by lowest basic
// index) rules out cycling on the many degenerate vertices that tables of counts produce.

// linProg is the problem: equality constraints a·x = b and bounds lo <= x <= hi, where lo is
// finite and hi may be +Inf.
type linProg struct {
	a      [][]float64
	b      []float64
	lo, hi []float64
}

// lpStatus is the outcome of an optimisation.
type lpStatus int

const (
	lpOptimal lpStatus = iota
	lpInfeasible
	lpUnbounded
)

func (s lpStatus) String() string {
	return [...]string{"optimal", "infeasible", "unbounded"}[s]
}

// lpEps is the pivoting tolerance; the data are small integers, so it can be tight.
const lpEps = 1e-9

// extreme returns the minimum (or maximum) of x[j] over the feasible set.
func (p linProg) extreme(j int, maximize bool) (float64, lpStatus) {
	tb, structural := p.standardForm()
	if !tb.phaseOne(structural) {
		return 0, lpInfeasible
	}
	cost := make([]float64, tb.width)
	cost[j] = 1
	if maximize {
		cost[j] = -1
	}
	if !tb.minimize(cost, structural) {
		return 0, lpUnbounded
	}
	return tb.value(j) + p.lo[j], lpOptimal
}

// tableau is a simplex tableau: each row holds width coefficients and then its right-hand side.
type tableau struct {
	rows  [][]float64
	basis []int // basis[i] is the column basic in row i
	width int
}

// standardForm shifts x to y = x - lo >= 0, adds y_j + s_j = hi_j - lo_j for each finite upper
// bound, makes every right-hand side non-negative and gives every row an artificial column (the
// initial basis). It returns the tableau and the number of non-artificial columns.
func (p linProg) standardForm() (*tableau, int) {
	n := len(p.lo)
	var coef [][]float64
	var rhs []float64
	for i, ai := range p.a {
		row := make([]float64, n)
		copy(row, ai)
		bi := p.b[i]
		for j := range n {
			bi -= ai[j] * p.lo[j]
		}
		coef, rhs = append(coef, row), append(rhs, bi)
	}
	var bounded []int
	for j := range n {
		if !math.IsInf(p.hi[j], 1) {
			row := make([]float64, n)
			row[j] = 1
			coef, rhs = append(coef, row), append(rhs, p.hi[j]-p.lo[j])
			bounded = append(bounded, j)
		}
	}
	structural := n + len(bounded)
	m := len(coef)
	tb := &tableau{width: structural + m, basis: make([]int, m)}
	for i := range m {
		row := make([]float64, tb.width+1)
		copy(row, coef[i])
		if i >= len(p.a) {
			row[n+i-len(p.a)] = 1 // the slack of bound row i
		}
		row[tb.width] = rhs[i]
		if rhs[i] < 0 {
			for j := range row {
				row[j] = -row[j]
			}
		}
		row[structural+i] = 1
		tb.rows = append(tb.rows, row)
		tb.basis[i] = structural + i
	}
	return tb, structural
}

// phaseOne finds a feasible basis without artificial columns, dropping redundant rows; it
// reports false when the problem is infeasible.
func (tb *tableau) phaseOne(structural int) bool {
	cost := make([]float64, tb.width)
	for j := structural; j < tb.width; j++ {
		cost[j] = 1
	}
	tb.minimize(cost, tb.width) // bounded below by 0
	if tb.objective(cost) > 1e-7 {
		return false
	}
	for i := 0; i < len(tb.rows); i++ {
		if tb.basis[i] < structural {
			continue
		}
		// An artificial column still basic (at zero): pivot it out, or drop its row if the
		// row is a combination of the others.
		j := 0
		for j < structural && math.Abs(tb.rows[i][j]) <= lpEps {
			j++
		}
		if j < structural {
			tb.pivot(i, j)
			continue
		}
		tb.rows = append(tb.rows[:i], tb.rows[i+1:]...)
		tb.basis = append(tb.basis[:i], tb.basis[i+1:]...)
		i--
	}
	return true
}

// minimize runs the simplex on cost, letting only columns below limit enter; it reports false
// when the objective is unbounded below.
func (tb *tableau) minimize(cost []float64, limit int) bool {
	for {
		enter := tb.entering(cost, limit)
		if enter < 0 {
			return true
		}
		leave := tb.leaving(enter)
		if leave < 0 {
			return false
		}
		tb.pivot(leave, enter)
	}
}

// entering is the lowest non-basic column below limit with a negative reduced cost, or -1.
func (tb *tableau) entering(cost []float64, limit int) int {
	basic := make([]bool, tb.width)
	for _, j := range tb.basis {
		basic[j] = true
	}
	for j := range limit {
		if basic[j] {
			continue
		}
		d := cost[j]
		for i, row := range tb.rows {
			d -= cost[tb.basis[i]] * row[j]
		}
		if d < -lpEps {
			return j
		}
	}
	return -1
}

// leaving is the row of the minimum ratio test for column enter (ties by lowest basic column),
// or -1 when the column is unbounded.
func (tb *tableau) leaving(enter int) int {
	leave, best := -1, 0.0
	for i, row := range tb.rows {
		if row[enter] <= lpEps {
			continue
		}
		ratio := row[tb.width] / row[enter]
		if leave < 0 || ratio < best-lpEps || (ratio <= best+lpEps && tb.basis[i] < tb.basis[leave]) {
			leave, best = i, ratio
		}
	}
	return leave
}

// pivot makes column c basic in row r.
func (tb *tableau) pivot(r, c int) {
	pr := tb.rows[r]
	piv := pr[c]
	for j := range pr {
		pr[j] /= piv
	}
	for i, row := range tb.rows {
		if f := row[c]; i != r && f != 0 {
			for j := range row {
				row[j] -= f * pr[j]
			}
		}
	}
	tb.basis[r] = c
}

// objective is cost at the current basic solution.
func (tb *tableau) objective(cost []float64) float64 {
	z := 0.0
	for i, row := range tb.rows {
		z += cost[tb.basis[i]] * row[tb.width]
	}
	return z
}

// value is column j's value at the current basic solution.
func (tb *tableau) value(j int) float64 {
	for i, b := range tb.basis {
		if b == j {
			return tb.rows[i][tb.width]
		}
	}
	return 0
}

// TestLinProg checks the simplex on LPs small enough to solve by hand, including the awkward
// cases the attack produces: redundant rows, negative right-hand sides after the shift, bounds
// that are not zero, unbounded maxima and infeasibility.
func TestLinProg(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name         string
		p            linProg
		j            int
		min, max     float64
		minSt, maxSt lpStatus
	}{
		{"x+y=4, x<=3", linProg{[][]float64{{1, 1}}, []float64{4}, []float64{0, 0}, []float64{3, inf}}, 0, 0, 3, lpOptimal, lpOptimal},
		{"x+y=4, x<=3: y", linProg{[][]float64{{1, 1}}, []float64{4}, []float64{0, 0}, []float64{3, inf}}, 1, 1, 4, lpOptimal, lpOptimal},
		{"unique solution", linProg{[][]float64{{1, 1}, {1, -1}}, []float64{4, 0}, []float64{0, 0}, []float64{inf, inf}}, 0, 2, 2, lpOptimal, lpOptimal},
		{"infeasible bounds", linProg{[][]float64{{1, 1}}, []float64{4}, []float64{0, 0}, []float64{1, 1}}, 0, 0, 0, lpInfeasible, lpInfeasible},
		{"infeasible lo > hi", linProg{[][]float64{{1, 1}}, []float64{4}, []float64{3, 0}, []float64{2, inf}}, 0, 0, 0, lpInfeasible, lpInfeasible},
		{"unbounded max", linProg{[][]float64{{1, -1}}, []float64{0}, []float64{0, 0}, []float64{inf, inf}}, 0, 0, 0, lpOptimal, lpUnbounded},
		{"redundant rows", linProg{[][]float64{{1, 1}, {2, 2}}, []float64{4, 8}, []float64{1, 0}, []float64{5, inf}}, 0, 1, 4, lpOptimal, lpOptimal},
		{"negative rhs", linProg{[][]float64{{1, -1}}, []float64{-3}, []float64{0, 0}, []float64{10, 5}}, 0, 0, 2, lpOptimal, lpOptimal},
		{"negative rhs: y", linProg{[][]float64{{1, -1}}, []float64{-3}, []float64{0, 0}, []float64{10, 5}}, 1, 3, 5, lpOptimal, lpOptimal},
		{"non-zero lower bounds", linProg{[][]float64{{1, 1}}, []float64{10}, []float64{2, 3}, []float64{8, inf}}, 0, 2, 7, lpOptimal, lpOptimal},
		{"no constraints", linProg{nil, nil, []float64{2}, []float64{6}}, 0, 2, 6, lpOptimal, lpOptimal},
		// a b / c d with row sums 5, 7 and column sums 6, 6: one of the four rows is redundant.
		{"2x2 transport", linProg{
			[][]float64{{1, 1, 0, 0}, {0, 0, 1, 1}, {1, 0, 1, 0}, {0, 1, 0, 1}},
			[]float64{5, 7, 6, 6}, []float64{0, 0, 0, 0}, []float64{inf, inf, inf, inf},
		}, 0, 0, 5, lpOptimal, lpOptimal},
		{"2x2 transport, d <= 3", linProg{
			[][]float64{{1, 1, 0, 0}, {0, 0, 1, 1}, {1, 0, 1, 0}, {0, 1, 0, 1}},
			[]float64{5, 7, 6, 6}, []float64{0, 0, 0, 0}, []float64{inf, inf, inf, 3},
		}, 0, 0, 2, lpOptimal, lpOptimal},
	}
	for _, tt := range tests {
		lo, st := tt.p.extreme(tt.j, false)
		if st != tt.minSt || (st == lpOptimal && math.Abs(lo-tt.min) > 1e-9) {
			t.Errorf("%s: min = %v (%v), want %v (%v)", tt.name, lo, st, tt.min, tt.minSt)
		}
		hi, st := tt.p.extreme(tt.j, true)
		if st != tt.maxSt || (st == lpOptimal && math.Abs(hi-tt.max) > 1e-9) {
			t.Errorf("%s: max = %v (%v), want %v (%v)", tt.name, hi, st, tt.max, tt.maxSt)
		}
	}
}
