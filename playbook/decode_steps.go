package playbook

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

func (d *decoder) steps(n *yaml.Node, path string) []Step {
	return list(d, n, path, "steps", "a list of steps", func(item *yaml.Node, sub string, i int) Step {
		return d.step(item, sub, stepLabel(i, idOf(item)))
	})
}

func (d *decoder) step(n *yaml.Node, path, what string) Step {
	s := Step{Line: n.Line}
	d.mapping(n, path, what, func(key string, v *yaml.Node, sub string) bool {
		field := what + ": " + key
		switch key {
		case "id":
			s.ID = d.str(v, sub, field)
		case "text":
			s.Text = d.text(v, sub, field)
		case "question":
			s.Question = d.text(v, sub, field)
		case "guidance":
			s.Guidance = d.text(v, sub, field)
		case "template":
			s.Template = d.str(v, sub, field)
		case "article":
			s.Article = d.str(v, sub, field)
		case "required":
			s.Required = d.boolean(v, sub, field)
		case "answers":
			s.Answers = d.answers(v, sub, what)
		default:
			return false
		}
		return true
	})
	return s
}

func (d *decoder) answers(n *yaml.Node, path, step string) []Answer {
	return list(d, n, path, step+": answers", "a list of answers", func(item *yaml.Node, sub string, i int) Answer {
		return d.answer(item, sub, step+": "+answerLabel(i, idOf(item)))
	})
}

func (d *decoder) answer(n *yaml.Node, path, what string) Answer {
	a := Answer{Line: n.Line}
	d.mapping(n, path, what, func(key string, v *yaml.Node, sub string) bool {
		field := what + ": " + key
		switch key {
		case "id":
			a.ID = d.str(v, sub, field)
		case "text":
			a.Text = d.text(v, sub, field)
		case "steps":
			a.Steps = d.strs(v, sub, field)
		default:
			return false
		}
		return true
	})
	return a
}

// idOf returns the value of the "id" key of a mapping node, if it has a plain one, so that
// problems found before the key is read can still name the step.
func idOf(n *yaml.Node) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "id" && v.Kind == yaml.ScalarNode && v.Value != "" {
			return v.Value
		}
	}
	return ""
}

// stepLabel names a step in messages by its id, or by its position (from 1) when it has none.
func stepLabel(i int, id string) string {
	if id == "" {
		return fmt.Sprintf("step #%d", i+1)
	}
	return fmt.Sprintf("step %q", short(id))
}

func answerLabel(i int, id string) string {
	if id == "" {
		return fmt.Sprintf("answer #%d", i+1)
	}
	return fmt.Sprintf("answer %q", short(id))
}
