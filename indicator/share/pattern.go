package share

import (
	"errors"
	"strings"
)

// Haven reads the STIX patterns partners write for single values: a comparison of an object's
// property with a string by equality ([domain-name:value = 'evil.com'], [file:hashes.'SHA-256'
// = '…']), and OR-combinations of those, each comparison one observable. Everything else —
// AND (but for the account login and platform of one user-account, which is how an account is
// written), other operators, NOT, qualifiers, FOLLOWEDBY — describes something a single value
// cannot stand for, and is counted as not understood.

// term is one comparison Haven understood: an object type, a property path and the value.
type term struct {
	objectType string
	path       string // "value", "hashes.SHA-256", or "handle" for a user-account pair
	value      string
}

// maxPatternDepth bounds the nesting a pattern may have; nobody writes deeper patterns for
// single values, and the bound keeps a hostile pattern from exhausting the stack.
const maxPatternDepth = 32

// readPattern returns the comparisons understood and how many parts were not.
func readPattern(s string) ([]term, int) {
	toks, err := lexPattern(s)
	if err != nil {
		return nil, 1
	}
	p := &patternParser{toks: toks}
	n, err := p.pattern(0)
	if err != nil || p.peek().kind != tokEOF {
		return nil, 1
	}
	return n.terms()
}

// pnode is a node of a parsed pattern.
type pnode struct {
	kind  string // "or", "and", "cmp", or "other" for a part Haven does not read
	kids  []pnode
	path  string // cmp: "type:property.path"
	op    string // cmp: the operator, "NOT =" when negated
	value string // cmp: the string compared with ("" for other literals)
	str   bool   // cmp: the value is a string literal
}

// terms flattens a parsed pattern into the comparisons it stands for.
func (n pnode) terms() ([]term, int) {
	switch n.kind {
	case "cmp":
		if t, ok := n.term(); ok {
			return []term{t}, 0
		}
	case "or":
		var out []term
		skipped := 0
		for _, k := range n.kids {
			ts, s := k.terms()
			out, skipped = append(out, ts...), skipped+s
		}
		return out, skipped
	case "and":
		if t, ok := n.account(); ok {
			return []term{t}, 0
		}
	}
	return nil, 1
}

func (n pnode) term() (term, bool) {
	typ, path, ok := strings.Cut(n.path, ":")
	if !ok || n.op != "=" || !n.str {
		return term{}, false
	}
	return term{objectType: typ, path: path, value: n.value}, true
}

// account reads [user-account:account_login = 'x' AND user-account:account_type = 'y']: one
// account, written as two comparisons on the same object.
func (n pnode) account() (term, bool) {
	var login, platform string
	for _, k := range n.kids {
		t, ok := k.term()
		if k.kind != "cmp" || !ok || t.objectType != "user-account" {
			return term{}, false
		}
		switch {
		case t.path == "account_login" && login == "":
			login = t.value
		case t.path == "account_type" && platform == "":
			platform = t.value
		default:
			return term{}, false
		}
	}
	if login == "" || platform == "" {
		return term{}, false
	}
	return term{objectType: "user-account", path: "handle", value: platform + "/" + login}, true
}

type patternParser struct {
	toks []token
	pos  int
}

var errPattern = errors.New("pattern not understood")

func (p *patternParser) peek() token { return p.toks[p.pos] }

func (p *patternParser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// pattern := observation (("OR" | "AND" | "FOLLOWEDBY") observation)*
func (p *patternParser) pattern(depth int) (pnode, error) {
	if depth > maxPatternDepth {
		return pnode{}, errPattern
	}
	first, err := p.observation(depth)
	if err != nil {
		return pnode{}, err
	}
	n := pnode{kind: "or", kids: []pnode{first}}
	for {
		op := p.peek()
		if op.kind != tokWord || (op.text != "OR" && op.text != "AND" && op.text != "FOLLOWEDBY") {
			break
		}
		p.next()
		k, err := p.observation(depth)
		if err != nil {
			return pnode{}, err
		}
		if op.text != "OR" {
			// Two observations joined by AND or FOLLOWEDBY are a sequence of events, not a value.
			n.kids[len(n.kids)-1] = pnode{kind: "other"}
			continue
		}
		n.kids = append(n.kids, k)
	}
	return n, nil
}

// observation := "[" comparisons "]" qualifier* | "(" pattern ")"
func (p *patternParser) observation(depth int) (pnode, error) {
	switch p.next().kind {
	case tokLParen:
		n, err := p.pattern(depth + 1)
		if err != nil || p.next().kind != tokRParen {
			return pnode{}, errPattern
		}
		return n, nil
	case tokLBracket:
		n, err := p.or(depth + 1)
		if err != nil || p.next().kind != tokRBracket {
			return pnode{}, errPattern
		}
		if p.skipQualifiers() {
			return pnode{kind: "other"}, nil // WITHIN, REPEATS, START/STOP: a behaviour over time
		}
		return n, nil
	}
	return pnode{}, errPattern
}

// skipQualifiers consumes qualifiers after an observation, reporting whether there were any.
func (p *patternParser) skipQualifiers() bool {
	found := false
	for {
		t := p.peek()
		if t.kind != tokWord || !qualifierWords[t.text] {
			return found
		}
		found = true
		p.next()
		for k := p.peek(); k.kind == tokLiteral || k.kind == tokString || (k.kind == tokWord && qualifierWords[k.text]); k = p.peek() {
			p.next()
		}
	}
}

var qualifierWords = map[string]bool{"WITHIN": true, "SECONDS": true, "REPEATS": true, "TIMES": true, "START": true, "STOP": true}

// or := and ("OR" and)*
func (p *patternParser) or(depth int) (pnode, error) {
	return p.joined(depth, "OR", "or", p.and)
}

// and := comparison ("AND" comparison)*
func (p *patternParser) and(depth int) (pnode, error) {
	return p.joined(depth, "AND", "and", p.comparisonOrGroup)
}

func (p *patternParser) joined(depth int, word, kind string, sub func(int) (pnode, error)) (pnode, error) {
	first, err := sub(depth)
	if err != nil {
		return pnode{}, err
	}
	n := pnode{kind: kind, kids: []pnode{first}}
	for t := p.peek(); t.kind == tokWord && t.text == word; t = p.peek() {
		p.next()
		k, err := sub(depth)
		if err != nil {
			return pnode{}, err
		}
		n.kids = append(n.kids, k)
	}
	if len(n.kids) == 1 {
		return first, nil
	}
	return n, nil
}

// comparisonOrGroup := "(" or ")" | ["NOT"] path operator value
func (p *patternParser) comparisonOrGroup(depth int) (pnode, error) {
	if depth > maxPatternDepth {
		return pnode{}, errPattern
	}
	if p.peek().kind == tokLParen {
		p.next()
		n, err := p.or(depth + 1)
		if err != nil || p.next().kind != tokRParen {
			return pnode{}, errPattern
		}
		return n, nil
	}
	path := p.next()
	if path.kind != tokPath {
		return pnode{}, errPattern
	}
	op := p.next()
	negated := op.kind == tokWord && op.text == "NOT"
	if negated {
		op = p.next()
	}
	if op.kind != tokOperator && (op.kind != tokWord || !wordOperators[op.text]) {
		return pnode{}, errPattern
	}
	v := p.next()
	if v.kind == tokLParen { // IN ('a', 'b'): a set Haven does not read
		return p.skipSet(path.text)
	}
	if v.kind != tokString && v.kind != tokLiteral {
		return pnode{}, errPattern
	}
	n := pnode{kind: "cmp", path: path.text, op: op.text, value: v.text, str: v.kind == tokString}
	if negated {
		n.op = "NOT " + op.text
	}
	return n, nil
}

var wordOperators = map[string]bool{"LIKE": true, "MATCHES": true, "IN": true, "ISSUBSET": true, "ISSUPERSET": true}

func (p *patternParser) skipSet(path string) (pnode, error) {
	for t := p.next(); t.kind != tokRParen; t = p.next() {
		if t.kind == tokEOF {
			return pnode{}, errPattern
		}
	}
	return pnode{kind: "cmp", path: path, op: "IN"}, nil
}
