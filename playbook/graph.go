package playbook

import (
	"strings"
)

// reach returns the positions of the steps reachable from start, breadth first: the start steps
// in order, then the steps of each answer of each step reached, each once. Unknown ids are
// skipped.
func reach(p *Playbook, index map[string]int) []int {
	seen := make(map[int]bool, len(p.Steps))
	var order []int
	visit := func(id string) {
		if i, ok := index[id]; ok && !seen[i] {
			seen[i] = true
			order = append(order, i)
		}
	}
	for _, id := range p.Start {
		visit(id)
	}
	for k := 0; k < len(order); k++ {
		for _, a := range p.Steps[order[k]].Answers {
			for _, id := range a.Steps {
				visit(id)
			}
		}
	}
	return order
}

// graph checks the references between steps: every one names a step, no decision leads back
// to itself, and every step can be reached from start.
func (v *validator) graph() {
	for i, id := range v.p.Start {
		if _, ok := v.index[id]; !ok {
			v.add(index("start", i), "start names unknown step %q", short(id))
		}
	}
	for i, s := range v.p.Steps {
		for j, a := range s.Answers {
			for k, id := range a.Steps {
				if _, ok := v.index[id]; !ok {
					v.add(refPath(i, j, k), "%s: %s leads to unknown step %q",
						stepLabel(i, s.ID), answerLabel(j, a.ID), short(id))
				}
			}
		}
	}
	v.cycles()
	v.unreachable()
}

func refPath(step, answer, ref int) string {
	return index(index(index("steps", step)+".answers", answer)+".steps", ref)
}

func (v *validator) unreachable() {
	reached := make([]bool, len(v.p.Steps))
	for _, i := range reach(v.p, v.index) {
		reached[i] = true
	}
	for i, s := range v.p.Steps {
		if !reached[i] && v.index[s.ID] == i && s.ID != "" {
			v.add(index("steps", i), "%s is never created: neither start nor an answer leads to it", stepLabel(i, s.ID))
		}
	}
}

// cycles reports each answer that leads, directly or through other decisions, back to a
// decision already being followed, with the path around the cycle.
func (v *validator) cycles() {
	c := cycleSearch{v: v, state: make([]uint8, len(v.p.Steps))}
	for i := range v.p.Steps {
		if c.state[i] == unvisited {
			c.visit(i)
		}
	}
}

const (
	unvisited uint8 = iota
	following       // on the current path
	finished
)

type cycleSearch struct {
	v     *validator
	state []uint8
	path  []int // positions of the steps being followed, outermost first
}

func (c *cycleSearch) visit(i int) {
	c.state[i] = following
	c.path = append(c.path, i)
	s := &c.v.p.Steps[i]
	for j, a := range s.Answers {
		for k, id := range a.Steps {
			t, ok := c.v.index[id]
			switch {
			case !ok:
			case c.state[t] == unvisited:
				c.visit(t)
			case c.state[t] == following:
				c.v.add(refPath(i, j, k), "%s: %s leads back to %q, a cycle: %s",
					stepLabel(i, s.ID), answerLabel(j, a.ID), short(id), c.describe(t))
			}
		}
	}
	c.path = c.path[:len(c.path)-1]
	c.state[i] = finished
}

// describe writes the cycle from step t around to t again: "a → b → a".
func (c *cycleSearch) describe(t int) string {
	var b strings.Builder
	started := false
	for _, i := range c.path {
		started = started || i == t
		if started {
			b.WriteString(short(c.v.p.Steps[i].ID))
			b.WriteString(" → ")
		}
	}
	b.WriteString(short(c.v.p.Steps[t].ID))
	return b.String()
}
