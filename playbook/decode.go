package playbook

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// decoder turns the guarded node tree into a Playbook. It refuses unknown and repeated keys
// (a typo must not silently drop content) and values of the wrong type, and records the line of
// every value under its path so that the rules about content can cite it.
type decoder struct {
	lines map[string]int
	ps    *problems
}

// handler decodes the value of one key and reports whether the key is known.
type handler func(key string, v *yaml.Node, path string) bool

func (d *decoder) playbook(root *yaml.Node) *Playbook {
	p := &Playbook{}
	d.lines[""] = root.Line
	d.mapping(root, "", "the playbook", func(key string, v *yaml.Node, path string) bool {
		switch key {
		case "name":
			p.Name = d.str(v, path, key)
		case "title":
			p.Title = d.text(v, path, key)
		case "languages":
			p.Languages = d.strs(v, path, key)
		case "categories":
			p.Categories = d.strs(v, path, key)
		case "sources":
			p.Sources = d.strs(v, path, key)
		case "start":
			p.Start = d.strs(v, path, key)
		case "auto":
			p.Auto = d.boolean(v, path, key)
		case "steps":
			p.Steps = d.steps(v, path)
		default:
			return false
		}
		return true
	})
	return p
}

// mapping calls handle for each key of the mapping n. what names the mapping in messages and
// prefixes the problems found in it ("step \"assess\"").
func (d *decoder) mapping(n *yaml.Node, path, what string, handle handler) {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, path, what, "a mapping")
		return
	}
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key, ok := d.key(k, path, what)
		if !ok {
			continue
		}
		sub := join(path, key)
		if first, dup := seen[key]; dup {
			d.ps.add(sub, k.Line, "%s: key %q is given twice (first on line %d)", what, short(key), first)
			continue
		}
		seen[key] = k.Line
		d.lines[sub] = k.Line // a block value starts below its key; the key is what to point at
		if !handle(key, v, sub) {
			d.ps.add(sub, k.Line, "%s: unknown key %q", what, short(key))
		}
	}
}

// key returns a mapping key, which must be a plain string (so not a merge key "<<").
func (d *decoder) key(k *yaml.Node, path, what string) (string, bool) {
	if k.Kind != yaml.ScalarNode || !stringTag(k.ShortTag()) {
		d.ps.add(path, k.Line, "%s: keys must be strings, not %s", what, kindName(k))
		d.ps.fatal = true
		return "", false
	}
	return k.Value, true
}

func (d *decoder) wrongType(n *yaml.Node, path, what, want string) {
	d.ps.add(path, n.Line, "%s must be %s, not %s", what, want, kindName(n))
	d.ps.fatal = true
}

// stringTag reports whether a scalar with this tag is read as text: strings, and numbers and
// dates, whose text is kept exactly as written. Booleans and null are refused: "text: true" or
// an empty value is a mistake, not a title.
func stringTag(tag string) bool {
	switch tag {
	case "!!str", "!!int", "!!float", "!!timestamp":
		return true
	}
	return false
}

func (d *decoder) str(n *yaml.Node, path, what string) string {
	if n.Kind != yaml.ScalarNode || !stringTag(n.ShortTag()) {
		d.wrongType(n, path, what, "a string")
		return ""
	}
	return n.Value
}

func (d *decoder) boolean(n *yaml.Node, path, what string) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.wrongType(n, path, what, "true or false")
	}
	return b
}

// strs reads a list of strings.
func (d *decoder) strs(n *yaml.Node, path, what string) []string {
	return list(d, n, path, what, "a list of strings", func(item *yaml.Node, sub string, i int) string {
		return d.str(item, sub, fmt.Sprintf("%s[%d]", what, i))
	})
}

// list decodes each item of the sequence n, recording its line; an empty list is nil, as an
// absent one.
func list[T any](d *decoder, n *yaml.Node, path, what, want string, item func(*yaml.Node, string, int) T) []T {
	if n.Kind != yaml.SequenceNode {
		d.wrongType(n, path, what, want)
		return nil
	}
	var out []T
	for i, c := range n.Content {
		sub := index(path, i)
		d.lines[sub] = c.Line
		out = append(out, item(c, sub, i))
	}
	return out
}

// text reads a mapping of language tag to text.
func (d *decoder) text(n *yaml.Node, path, what string) map[string]string {
	if n.Kind != yaml.MappingNode {
		d.wrongType(n, path, what, "a mapping of language to text")
		return nil
	}
	m := make(map[string]string, len(n.Content)/2)
	d.mapping(n, path, what, func(key string, v *yaml.Node, sub string) bool {
		m[key] = d.str(v, sub, what+"."+short(key))
		return true
	})
	return m
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch tag := n.ShortTag(); tag {
	case "!!null":
		return "empty"
	case "!!bool":
		return "a boolean"
	case "!!int", "!!float":
		return "a number"
	case "!!str":
		return "a string"
	default:
		return "a value tagged " + tag
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }
