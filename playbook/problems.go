package playbook

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/haven-helpline/haven"
)

// fileField is the Fields key of problems about the file as a whole (size, syntax, aliases).
const fileField = "yaml"

// problem is one thing wrong with a playbook: the field it is about (a path such as
// "steps[2].answers[0].steps[1]"), the line it was found on (0 when unknown) and what is wrong.
type problem struct {
	path string
	line int
	msg  string
}

func (p problem) String() string {
	if p.line > 0 {
		return fmt.Sprintf("line %d: %s", p.line, p.msg)
	}
	return p.msg
}

// problems collects what is wrong with a file so that an author sees every mistake at once,
// up to MaxProblems; fatal is set when the playbook read so far is too incomplete for the rules
// about content to say anything useful.
type problems struct {
	list    []problem
	dropped int
	fatal   bool
}

func (ps *problems) add(path string, line int, format string, args ...any) {
	if len(ps.list) >= MaxProblems {
		ps.dropped++
		return
	}
	ps.list = append(ps.list, problem{path: short(path), line: line, msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) full() bool { return len(ps.list) >= MaxProblems }

// err returns nil when nothing was found. The Message names the first problem by line and how
// many more there are; Fields holds every problem under its path, so a form can mark each field.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool { return ps.list[i].line < ps.list[j].line })
	fields := make(map[string]string, len(ps.list))
	for _, p := range ps.list {
		key := p.path
		if key == "" {
			key = fileField
		}
		if prev, ok := fields[key]; ok {
			fields[key] = prev + "; " + p.String()
		} else {
			fields[key] = p.String()
		}
	}
	msg := ps.list[0].String()
	if more := len(ps.list) - 1 + ps.dropped; more > 0 {
		msg += fmt.Sprintf(" (and %d more %s)", more, plural(more, "problem", "problems"))
	}
	return &haven.Error{Code: haven.EINVALID, Message: msg, Fields: fields}
}

// fileError is a single problem with the file as a whole.
func fileError(line int, format string, args ...any) error {
	ps := &problems{}
	ps.add("", line, format, args...)
	return ps.err()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// quoted lists strings as "a", "b" for messages.
func quoted(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", short(s))
	}
	return strings.Join(q, ", ")
}

// short cuts a value quoted back in a message, so that a huge bad value cannot make a huge
// error.
func short(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
