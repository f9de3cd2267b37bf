package report

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Small-count suppression for public statistics. A helpline's yearly figures are safe in bulk,
// but a small number in a published table ("2 cases of spyware from one small country") can point
// at the very people the helpline protects. Suppress hides such numbers, and enough others that
// the hidden ones cannot be worked out from the totals.

// DefaultK is the suppression threshold used when Options.K is 0: counts from 1 to 9 are hidden.
const DefaultK = 10

// ComplementaryMark is how Cell.Label shows a cell hidden only to protect another one. It differs
// from "<k" because such a cell usually holds k or more: a false "<k" would mislead readers and
// hide nothing from an attacker, whom the totals would contradict.
const ComplementaryMark = "x"

// maxTotal bounds the grand total, so that every sum fits in an int on all platforms.
const maxTotal = math.MaxInt32

// ErrUnprotectable is returned (wrapped) when even hiding every non-zero number of a table would
// leave some hidden number recoverable, e.g. a 2×2 table with ones on the diagonal and K = 3
// (every total is then pinned by its bounds). A small K makes this common: with K = 3, two "<3"
// adding up to a "<3" can only be 1 + 1 = 2. Such a table must be coarsened before publication:
// merge small rows or columns, or publish a shorter period's figures only in aggregate.
var ErrUnprotectable = errors.New("report: no suppression pattern protects this table")

// Table is a two-way table of counts, rows × columns (e.g. category × country). Its row, column
// and grand totals are computed from the cells, never supplied, so they always add up.
type Table struct {
	Rows, Cols []string // labels; len(Rows) == len(Cells) and every row has len(Cols) cells
	Cells      [][]int  // Cells[r][c] >= 0
}

// Options tunes Suppress.
type Options struct {
	// K is the threshold: every count from 1 to K-1 is suppressed. 0 means DefaultK. It must be
	// at least 3, because zeros are published: with K = 2 a "<2" would reveal exactly 1.
	K int
	// Round, when greater than 1, rounds every published number to the nearest multiple of
	// Round (halves up) after the suppression decisions, which are made on the true values.
	// Totals are rounded independently, so they may not add up. Rounding blurs the figures but
	// is not the protection: suppression is. 0 or 1 means no rounding.
	Round int
}

// Cell is one published number: a value, or suppressed. A suppressed Cell never carries its true
// value (Value is 0), so a Published can be stored or sent as it is.
type Cell struct {
	Value      int  // the published value, rounded if Options.Round > 1; 0 when Suppressed
	Suppressed bool // hidden
	Primary    bool // hidden because the true value is from 1 to K-1; false for complementary cells
}

// Published is a Table ready for publication: the same labels, with cells and totals suppressed
// or rounded as needed.
type Published struct {
	Rows, Cols []string
	Cells      [][]Cell // Cells[r][c] for Table.Cells[r][c]
	RowTotals  []Cell   // one per row
	ColTotals  []Cell   // one per column
	Total      Cell     // the grand total
	K          int      // the threshold applied; pass it to Cell.Label
	Round      int      // the rounding base applied, 0 when none (for a footnote)
}

// Label renders a cell for people: the number, "<k" (e.g. "<10") for a primary-suppressed cell,
// or ComplementaryMark for a cell suppressed to protect others.
func (c Cell) Label(k int) string {
	switch {
	case !c.Suppressed:
		return strconv.Itoa(c.Value)
	case c.Primary:
		return "<" + strconv.Itoa(k)
	default:
		return ComplementaryMark
	}
}

// Suppress prepares t for publication with small-count suppression.
//
// Primary suppression: every number, cell or total, whose true value is from 1 to K-1 is hidden
// and shown as "<K". Zeros are published: a true zero describes nobody, and they are treated as
// known exactly. Zeros are never hidden, so a zero beside a hidden cell tells only that it is 0.
//
// Complementary suppression: every row and column of the table extended with its totals (row
// totals form an extra column, column totals and the grand total an extra row) that holds exactly
// one hidden number would give it away as a difference, so another number of that line is hidden
// too, chosen greedily: cells before totals (the totals are the headline figures), then cells
// whose other line this also completes, then the smallest value (least information lost). This
// repeats until stable; then an exact check finds any hidden number still pinned, e.g. because
// its partner sits at its lower bound, and hides another number that frees it (a pinned
// complementary number is published instead: the attacker knows it anyway). Finally every
// complementary number that later choices made unnecessary is published again.
//
// Attacker model: the attacker knows every published number exactly, that each row and column
// adds up to its total and the totals to the grand total, that a "<K" number is from 1 to K-1,
// and that a complementary number is at least K (every value from 1 to K-1 is primary and zeros
// are never hidden, so the two marks give that away). That is stronger than the usual
// assumption that complementary numbers are merely >= 0, so it covers that attacker too.
// Protection rule: every hidden number, primary or complementary, must be able to take at least
// two integer values in tables consistent with all of that (a feasible interval of width >= 1);
// the exact check computes this (see movable). Width 1 means "not recoverable exactly", not
// "hidden within a wide range": with K = 3 a primary cell may be known to be 1 or 2. Outside the
// model: reasoning about which numbers this algorithm would pick, and other publications of the
// same data (last year's table, another breakdown), which can be subtracted from this one.
//
// It returns an error for invalid options or tables, and ErrUnprotectable (wrapped) when no
// suppression protects the table.
func Suppress(t Table, o Options) (Published, error) {
	k, base, err := o.normalize()
	if err != nil {
		return Published{}, err
	}
	if err := t.check(); err != nil {
		return Published{}, err
	}
	g := newGrid(t, k)
	if err := g.protect(); err != nil {
		return Published{}, err
	}
	g.prune()
	return g.publish(t, base), nil
}

// normalize applies the defaults and validates the options.
func (o Options) normalize() (k, base int, err error) {
	k = o.K
	if k == 0 {
		k = DefaultK
	}
	if k < 3 {
		return 0, 0, fmt.Errorf("report: suppression threshold K = %d is invalid: it must be at least 3 (0 means %d), because zeros are published and \"<2\" would reveal exactly 1", o.K, DefaultK)
	}
	if o.Round < 0 {
		return 0, 0, fmt.Errorf("report: rounding base %d is invalid: it must be 0 or 1 (no rounding) or greater", o.Round)
	}
	if o.Round > 1 {
		base = o.Round
	}
	return k, base, nil
}

// check validates the table's shape and counts.
func (t Table) check() error {
	if len(t.Rows) != len(t.Cells) {
		return fmt.Errorf("report: table has %d row labels but %d rows of cells", len(t.Rows), len(t.Cells))
	}
	var total int64
	for r, row := range t.Cells {
		if len(row) != len(t.Cols) {
			return fmt.Errorf("report: table row %d (%q) has %d cells, want %d (one per column label)", r, t.Rows[r], len(row), len(t.Cols))
		}
		for c, v := range row {
			if v < 0 {
				return fmt.Errorf("report: table cell %q × %q is negative (%d); counts must be >= 0", t.Rows[r], t.Cols[c], v)
			}
			if total += int64(v); total > maxTotal {
				return fmt.Errorf("report: table's grand total exceeds %d", maxTotal)
			}
		}
	}
	return nil
}

// state says how a number of the grid is published.
type state uint8

const (
	shown         state = iota // published (possibly rounded)
	primary                    // hidden because it is from 1 to K-1
	complementary              // hidden to protect another hidden number
)

// pos is an entry of the grid.
type pos struct{ r, c int }

// grid is the table extended with its totals: entry (r, cols) is row r's total, (rows, c) column
// c's total and (rows, cols) the grand total. In each of its rows and columns (its lines) the
// last entry is the sum of the others; those are exactly the equations an attacker can combine.
type grid struct {
	rows, cols int // size of the table; the grid is (rows+1) × (cols+1)
	val        [][]int
	st         [][]state
	k          int
}

// newGrid computes the totals and marks the primary suppressions.
func newGrid(t Table, k int) *grid {
	R, C := len(t.Cells), len(t.Cols)
	g := &grid{rows: R, cols: C, k: k, val: make([][]int, R+1), st: make([][]state, R+1)}
	for r := range g.val {
		g.val[r] = make([]int, C+1)
		g.st[r] = make([]state, C+1)
	}
	for r, row := range t.Cells {
		for c, v := range row {
			g.val[r][c] = v
			g.val[r][C] += v
			g.val[R][c] += v
			g.val[R][C] += v
		}
	}
	for _, p := range g.all() {
		if v := g.at(p); v > 0 && v < k {
			g.st[p.r][p.c] = primary
		}
	}
	return g
}

// at is entry p's true value.
func (g *grid) at(p pos) int { return g.val[p.r][p.c] }

// state is how entry p is published.
func (g *grid) state(p pos) state { return g.st[p.r][p.c] }

// hidden reports whether entry p is suppressed.
func (g *grid) hidden(p pos) bool { return g.state(p) != shown }

// hide suppresses entry p to protect others.
func (g *grid) hide(p pos) { g.st[p.r][p.c] = complementary }

// candidate reports whether entry p may be hidden to protect others.
func (g *grid) candidate(p pos) bool {
	// Zeros stay published (known to the attacker), so hiding one would protect nothing.
	return g.state(p) == shown && g.at(p) > 0
}

// all lists every entry of the grid, row by row.
func (g *grid) all() []pos {
	ps := make([]pos, 0, (g.rows+1)*(g.cols+1))
	for r := range g.rows + 1 {
		for c := range g.cols + 1 {
			ps = append(ps, pos{r, c})
		}
	}
	return ps
}

// line is one row (across) or column of the grid, totals included.
type line struct {
	across bool
	i      int
}

// lines lists the grid's rows, then its columns.
func (g *grid) lines() []line {
	var ls []line
	for r := range g.rows + 1 {
		ls = append(ls, line{true, r})
	}
	for c := range g.cols + 1 {
		ls = append(ls, line{false, c})
	}
	return ls
}

// entries lists the entries of l.
func (g *grid) entries(l line) []pos {
	var ps []pos
	if l.across {
		for c := range g.cols + 1 {
			ps = append(ps, pos{l.i, c})
		}
		return ps
	}
	for r := range g.rows + 1 {
		ps = append(ps, pos{r, l.i})
	}
	return ps
}

// cross is the other line through p, which lies on l.
func cross(l line, p pos) line {
	if l.across {
		return line{false, p.c}
	}
	return line{true, p.r}
}

// hiddenIn counts the hidden entries of l.
func (g *grid) hiddenIn(l line) int {
	n := 0
	for _, p := range g.entries(l) {
		if g.hidden(p) {
			n++
		}
	}
	return n
}

// marginRank orders cells (0) before row and column totals (1) before the grand total (2): the
// totals are the figures a report leads with, so they are hidden only when nothing else will do.
func (g *grid) marginRank(p pos) int {
	n := 0
	if p.r == g.rows {
		n++
	}
	if p.c == g.cols {
		n++
	}
	return n
}

// fixRank orders candidates by the other line through them, given how many entries it already
// hides: hiding one more completes a line with exactly one (0), does no harm to a line with two or
// more (1), and starts a new lone hidden entry in a line with none (2), which needs a partner too.
func fixRank(hiddenInCross int) int {
	switch hiddenInCross {
	case 1:
		return 0
	case 0:
		return 2
	}
	return 1
}

// protect hides complementary entries until no hidden entry can be recovered. A pinned primary
// entry gets another entry hidden to free it. A pinned complementary entry is published instead:
// the attacker can work it out anyway, so showing it changes nothing for the other hidden
// entries, and hiding still more to free it would only cost information. After such a round
// every hidden entry can move (so no line has a lone one), and the next round ends the loop;
// every other round hides one more entry, so the loop ends.
func (g *grid) protect() error {
	for {
		g.complete()
		adj := g.residual()
		pinned := g.pinned(adj)
		if len(pinned) == 0 {
			return nil
		}
		i := slices.IndexFunc(pinned, func(p pos) bool { return g.state(p) == primary })
		if i < 0 {
			for _, p := range pinned {
				g.st[p.r][p.c] = shown
			}
			continue
		}
		q, ok := g.widen(adj, pinned[i])
		if !ok {
			// Every non-zero entry is hidden, and any publication lets the attacker know at
			// least as much as this one, so no publication protects this entry.
			p := pinned[i]
			return fmt.Errorf("%w: a count below K (grid entry %d,%d) can be recovered even with every non-zero number hidden", ErrUnprotectable, p.r, p.c)
		}
		g.hide(q)
	}
}

// prune publishes again every complementary entry the protection no longer needs: choices made
// early by the greedy pass, or to free a pinned entry, can be made redundant by later ones. The
// most valuable figures are tried first: totals, then the largest values.
func (g *grid) prune() {
	var comp []pos
	for _, p := range g.all() {
		if g.state(p) == complementary {
			comp = append(comp, p)
		}
	}
	slices.SortStableFunc(comp, func(a, b pos) int {
		return slices.Compare([]int{g.marginRank(b), g.at(b)}, []int{g.marginRank(a), g.at(a)})
	})
	for _, p := range comp {
		g.st[p.r][p.c] = shown
		if len(g.pinned(g.residual())) > 0 {
			g.hide(p)
		}
	}
}

// complete is the classic greedy pass: a line with exactly one hidden entry reveals it as the
// difference of the others, so hide a partner in that line, and repeat until no line has one.
func (g *grid) complete() {
	for changed := true; changed; {
		changed = false
		for _, l := range g.lines() {
			if g.hiddenIn(l) != 1 {
				continue
			}
			if p, ok := g.partner(l); ok {
				g.hide(p)
				changed = true
			}
		}
	}
}

// partner picks the entry of l to hide next to its lone hidden entry (see Suppress for the order).
func (g *grid) partner(l line) (pos, bool) {
	var best pos
	var bestKey []int
	for _, p := range g.entries(l) {
		if !g.candidate(p) {
			continue
		}
		key := []int{g.marginRank(p), fixRank(g.hiddenIn(cross(l, p))), g.at(p)}
		if bestKey == nil || slices.Compare(key, bestKey) < 0 {
			best, bestKey = p, key
		}
	}
	return best, bestKey != nil
}

// The exact check. Number the grid's lines as nodes: row i is node i, column j is node rows+1+j.
// Each entry is then an arc between its row and its column (cells and the grand total point from
// row to column, row and column totals the other way), and the line equations say that the flow
// into every node equals the flow out: the tables consistent with what is published are exactly
// the circulations whose published arcs carry their values and whose hidden arcs stay within
// their bounds. The true table is one. Every other one differs from it by a sum of cycles along
// which one unit can move without breaking a bound, and the constraint matrix is totally
// unimodular, so a hidden entry's feasible interval has integer ends: it has width >= 1 exactly
// when one unit can move through the entry along some cycle, up or down.

// arc is the arc of entry p: from one node to another.
func (g *grid) arc(p pos) (from, to int) {
	row, col := p.r, g.rows+1+p.c
	if (p.r < g.rows) == (p.c < g.cols) {
		return row, col
	}
	return col, row
}

// bounds is what the attacker knows of entry p's value (see the attacker model at Suppress).
func (g *grid) bounds(p pos) (lo, hi int) {
	switch g.state(p) {
	case primary:
		return 1, g.k - 1
	case complementary:
		return g.k, math.MaxInt
	}
	return g.at(p), g.at(p)
}

// step is an arc of the residual graph, along which one unit can move through entry via.
type step struct {
	to  int
	via pos
}

// residual is the residual graph of the true table, by node: a hidden entry below its upper
// bound can move one unit along its arc, one above its lower bound one unit against it.
// Published entries cannot move at all.
func (g *grid) residual() [][]step {
	adj := make([][]step, g.rows+g.cols+2)
	for _, p := range g.all() {
		if !g.hidden(p) {
			continue
		}
		from, to := g.arc(p)
		lo, hi := g.bounds(p)
		if g.at(p) < hi {
			adj[from] = append(adj[from], step{to, p})
		}
		if g.at(p) > lo {
			adj[to] = append(adj[to], step{from, p})
		}
	}
	return adj
}

// reach marks the nodes reachable from start in adj without passing through entry skip.
func reach(adj [][]step, start int, skip pos) []bool {
	seen := make([]bool, len(adj))
	seen[start] = true
	queue := []int{start}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, s := range adj[u] {
			if s.via != skip && !seen[s.to] {
				seen[s.to] = true
				queue = append(queue, s.to)
			}
		}
	}
	return seen
}

// reversed is adj with every step turned around, to find the nodes that can reach a given one.
func reversed(adj [][]step) [][]step {
	rev := make([][]step, len(adj))
	for u, steps := range adj {
		for _, s := range steps {
			rev[s.to] = append(rev[s.to], step{u, s.via})
		}
	}
	return rev
}

// movable reports whether hidden entry p can take another value: one unit up along its arc
// closed by a path back through other entries, or one unit down, against it.
func (g *grid) movable(adj [][]step, p pos) bool {
	from, to := g.arc(p)
	lo, hi := g.bounds(p)
	v := g.at(p)
	return (v < hi && reach(adj, to, p)[from]) || (v > lo && reach(adj, from, p)[to])
}

// pinned lists the hidden entries that cannot take another value.
func (g *grid) pinned(adj [][]step) []pos {
	var ps []pos
	for _, p := range g.all() {
		if g.hidden(p) && !g.movable(adj, p) {
			ps = append(ps, p)
		}
	}
	return ps
}

// widen chooses one more entry to hide so that pinned entry p can move. To move p up, a unit
// must get back from the end of p's arc to its start: an entry joining a node reachable from the
// end to a node that reaches the start closes such a cycle once hidden (it can then go up without
// limit, or down if it is above K). Failing that, it hides the smallest visible number in p's
// lines, or anywhere, and lets the next round decide.
func (g *grid) widen(adj [][]step, p pos) (pos, bool) {
	from, to := g.arc(p)
	lo, hi := g.bounds(p)
	rev := reversed(adj)
	var closers []pos
	if g.at(p) < hi {
		closers = append(closers, g.closers(reach(adj, to, p), reach(rev, from, p))...)
	}
	if g.at(p) > lo {
		closers = append(closers, g.closers(reach(adj, from, p), reach(rev, to, p))...)
	}
	if q, ok := g.smallest(closers); ok {
		return q, true
	}
	if q, ok := g.smallest(append(g.entries(line{true, p.r}), g.entries(line{false, p.c})...)); ok {
		return q, true
	}
	return g.smallest(g.all())
}

// closers lists the visible entries whose arc, once hidden, leads from a node in fromSet to one
// in toSet.
func (g *grid) closers(fromSet, toSet []bool) []pos {
	var ps []pos
	for _, q := range g.all() {
		if !g.candidate(q) {
			continue
		}
		a, b := g.arc(q)
		// Hidden, q can always go up (no upper bound), and down only if it is above K.
		if (fromSet[a] && toSet[b]) || (g.at(q) > g.k && fromSet[b] && toSet[a]) {
			ps = append(ps, q)
		}
	}
	return ps
}

// smallest picks the candidate among ps that costs least to hide: cells before totals, then the
// smallest value.
func (g *grid) smallest(ps []pos) (pos, bool) {
	var best pos
	var bestKey []int
	for _, p := range ps {
		if !g.candidate(p) {
			continue
		}
		key := []int{g.marginRank(p), g.at(p)}
		if bestKey == nil || slices.Compare(key, bestKey) < 0 {
			best, bestKey = p, key
		}
	}
	return best, bestKey != nil
}

// publish builds the Published table, rounding the visible numbers to base.
func (g *grid) publish(t Table, base int) Published {
	R, C := g.rows, g.cols
	p := Published{Rows: slices.Clone(t.Rows), Cols: slices.Clone(t.Cols), K: g.k, Round: base}
	p.Cells = make([][]Cell, R)
	for r := range R {
		p.Cells[r] = make([]Cell, C)
		for c := range C {
			p.Cells[r][c] = g.cell(pos{r, c}, base)
		}
		p.RowTotals = append(p.RowTotals, g.cell(pos{r, C}, base))
	}
	for c := range C {
		p.ColTotals = append(p.ColTotals, g.cell(pos{R, c}, base))
	}
	p.Total = g.cell(pos{R, C}, base)
	return p
}

// cell is entry p as published; a hidden entry's value is left out.
func (g *grid) cell(p pos, base int) Cell {
	switch g.state(p) {
	case primary:
		return Cell{Suppressed: true, Primary: true}
	case complementary:
		return Cell{Suppressed: true}
	}
	return Cell{Value: roundTo(g.at(p), base)}
}

// roundTo rounds v to the nearest multiple of base (halves up); base 0 leaves it alone. A
// non-zero count never becomes 0, since a published 0 means "nobody" and is taken as exact.
func roundTo(v, base int) int {
	if base <= 1 {
		return v
	}
	r, rem := v/base*base, v%base
	if rem >= base-rem && r <= math.MaxInt-base { // halves up, unless that would overflow
		r += base
	}
	if r == 0 && v > 0 {
		return base
	}
	return r
}
