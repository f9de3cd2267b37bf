package playbook

import (
	"bytes"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/haven-helpline/haven"
)

// Marshal writes a valid playbook in the file format: keys in a fixed order, texts with the
// playbook's languages first, lists of ids on one line. Comments of a parsed file are not kept.
// It refuses a playbook Validate refuses, and one whose file would be larger than MaxSize, so
// that Parse(Marshal(p)) always succeeds and equals p but for Line fields (and nil for empty
// lists).
func Marshal(p *Playbook) ([]byte, error) {
	if err := Validate(p); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(playbookNode(p)); err != nil {
		return nil, haven.Internal("playbook.Marshal", err)
	}
	if err := enc.Close(); err != nil {
		return nil, haven.Internal("playbook.Marshal", err)
	}
	if buf.Len() > MaxSize {
		return nil, fileError(0, "the playbook would be %d bytes, more than the %d allowed", buf.Len(), MaxSize)
	}
	return buf.Bytes(), nil
}

func playbookNode(p *Playbook) *yaml.Node {
	m := mappingNode()
	pair(m, "name", stringNode(p.Name))
	pair(m, "title", textNode(p.Title, p.Languages))
	pair(m, "languages", idsNode(p.Languages))
	if len(p.Categories) > 0 {
		pair(m, "categories", idsNode(p.Categories))
	}
	if p.Auto {
		pair(m, "auto", boolNode(true))
	}
	if len(p.Sources) > 0 {
		sources := &yaml.Node{Kind: yaml.SequenceNode}
		for _, s := range p.Sources {
			sources.Content = append(sources.Content, stringNode(s))
		}
		pair(m, "sources", sources)
	}
	pair(m, "start", idsNode(p.Start))
	steps := &yaml.Node{Kind: yaml.SequenceNode}
	for i := range p.Steps {
		steps.Content = append(steps.Content, stepNode(&p.Steps[i], p.Languages))
	}
	pair(m, "steps", steps)
	return m
}

func stepNode(s *Step, langs []string) *yaml.Node {
	m := mappingNode()
	pair(m, "id", stringNode(s.ID))
	if s.Text != nil {
		pair(m, "text", textNode(s.Text, langs))
	}
	if s.Question != nil {
		pair(m, "question", textNode(s.Question, langs))
	}
	if s.Guidance != nil {
		pair(m, "guidance", textNode(s.Guidance, langs))
	}
	if s.Template != "" {
		pair(m, "template", stringNode(s.Template))
	}
	if s.Article != "" {
		pair(m, "article", stringNode(s.Article))
	}
	if s.Required {
		pair(m, "required", boolNode(true))
	}
	if len(s.Answers) > 0 {
		pair(m, "answers", answersNode(s.Answers, langs))
	}
	return m
}

func answersNode(answers []Answer, langs []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode}
	for _, a := range answers {
		m := mappingNode()
		pair(m, "id", stringNode(a.ID))
		pair(m, "text", textNode(a.Text, langs))
		if len(a.Steps) > 0 {
			pair(m, "steps", idsNode(a.Steps))
		}
		n.Content = append(n.Content, m)
	}
	return n
}

// textNode writes the playbook's languages in their order, then any others sorted.
func textNode(text map[string]string, langs []string) *yaml.Node {
	m := mappingNode()
	for _, l := range langs {
		if t, ok := text[l]; ok {
			pair(m, l, stringNode(t))
		}
	}
	for _, l := range sortedKeys(text) {
		if !slices.Contains(langs, l) {
			pair(m, l, stringNode(text[l]))
		}
	}
	return m
}

func mappingNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func pair(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, stringNode(key), value)
}

// stringNode lets the encoder pick the style as it does for a Go string: plain, quoted where
// YAML (1.2, or 1.1 for yes/no/on/off) would read a number, a boolean or null, a literal block
// for several lines.
func stringNode(s string) *yaml.Node {
	n := &yaml.Node{}
	if err := n.Encode(s); err != nil {
		n.SetString(s) // not reached: encoding a string does not fail
	}
	return n
}

func boolNode(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func idsNode(ids []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, id := range ids {
		n.Content = append(n.Content, stringNode(id))
	}
	return n
}
