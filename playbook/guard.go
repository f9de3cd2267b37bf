package playbook

import (
	"go.yaml.in/yaml/v3"
)

// guard walks the node tree before anything is decoded from it and refuses what no playbook
// needs and what could make later work expensive: anchors and aliases (the billion-laughs bomb
// is aliases of aliases; merge keys are aliases too), nesting deeper than MaxDepth and more than
// MaxNodes nodes. It never follows an alias, so its cost is bounded by the parsed tree.
func guard(root *yaml.Node, ps *problems) bool {
	g := guardWalk{ps: ps}
	g.walk(root, 1)
	return len(ps.list) == 0
}

type guardWalk struct {
	ps    *problems
	nodes int
	deep  bool // depth already reported
}

func (g *guardWalk) walk(n *yaml.Node, depth int) {
	if g.nodes > MaxNodes || g.ps.full() {
		return
	}
	g.nodes++
	if g.nodes > MaxNodes {
		g.ps.add("", n.Line, "the file has more than %d YAML nodes", MaxNodes)
		return
	}
	if depth > MaxDepth {
		if !g.deep {
			g.deep = true
			g.ps.add("", n.Line, "the file is nested more than %d levels deep", MaxDepth)
		}
		return
	}
	switch {
	case n.Kind == yaml.AliasNode:
		g.ps.add("", n.Line, "aliases (*%s) are not allowed in a playbook", n.Value)
		return
	case n.Anchor != "":
		g.ps.add("", n.Line, "anchors (&%s) are not allowed in a playbook", n.Anchor)
	}
	for _, c := range n.Content {
		g.walk(c, depth+1)
	}
}
