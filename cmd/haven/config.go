package main

import (
	"fmt"
	"os"

	"github.com/alecthomas/kong"
	"go.yaml.in/yaml/v3"

	"github.com/haven-helpline/haven"
)

// configFile is the --config flag: a YAML file (JSON is YAML too) whose keys are flag names and
// whose values are what the command line would say. One file serves every command, so an
// operator writes the database and key settings once for `serve`, `migrate`, `user`...
//
// Precedence, highest first: command line, environment (HAVEN_*), file, default. kong on its
// own lets a resolver override the environment, so the resolver stands aside for any flag
// whose environment variable is set.
type configFile string

// notFromFile are flags a file cannot set: the file itself, and flags that only act on the
// command line.
var notFromFile = map[string]bool{"config": true, "help": true, "version": true}

// BeforeResolve reads the file named by --config or HAVEN_CONFIG and adds it as a resolver.
func (configFile) BeforeResolve(ctx *kong.Context, trace *kong.Path) error {
	path, _ := ctx.FlagValue(trace.Flag).(configFile)
	if path == "" {
		return nil
	}
	r, err := loadConfigFile(kong.ExpandPath(string(path)))
	if err != nil {
		return err
	}
	ctx.AddResolver(r)
	return nil
}

// configSetting is one key of the file: a scalar as written, or a list for repeatable flags.
type configSetting struct {
	line   int
	scalar string
	list   []any // of strings; nil for a scalar
}

// configResolver answers kong's questions from the file.
type configResolver struct {
	path     string
	settings map[string]configSetting
}

func loadConfigFile(path string) (*configResolver, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "config file: " + err.Error(), Err: err} // names the path
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &haven.Error{Code: haven.EINVALID, Message: fmt.Sprintf("config file %s: %v", path, err), Err: err}
	}
	r := &configResolver{path: path, settings: map[string]configSetting{}}
	if len(doc.Content) == 0 {
		return r, nil // an empty file (or only comments) sets nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, r.errorf(root.Line, "expected settings as `name: value` lines")
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if err := r.add(root.Content[i], root.Content[i+1]); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// add records one key; values are kept as their text, so the file means exactly what the same
// text on the command line means (YAML's own typing of 0600, no or 2024-01-01 plays no part).
func (r *configResolver) add(key, value *yaml.Node) error {
	if _, dup := r.settings[key.Value]; dup {
		return r.errorf(key.Line, "%q is set twice", key.Value)
	}
	s := configSetting{line: key.Line}
	switch {
	case value.Kind == yaml.ScalarNode && value.Tag == "!!null":
		return nil // `key:` with no value leaves the default
	case value.Kind == yaml.ScalarNode:
		s.scalar = value.Value
	case value.Kind == yaml.SequenceNode:
		s.list = []any{}
		for _, item := range value.Content {
			if item.Kind != yaml.ScalarNode {
				return r.errorf(item.Line, "%q: a list holds plain values", key.Value)
			}
			s.list = append(s.list, item.Value)
		}
	default:
		return r.errorf(value.Line, "%q: expected a value or a list of values", key.Value)
	}
	r.settings[key.Value] = s
	return nil
}

// Validate refuses keys that name no flag of any command, so a typo is not silently ignored.
// Any command's flag is accepted: the same file serves `serve` and `user list` alike.
func (r *configResolver) Validate(app *kong.Application) error {
	known := map[string]bool{}
	collectFlags(app.Node, known)
	for key, s := range r.settings {
		if !known[key] || notFromFile[key] {
			return r.errorf(s.line, "unknown setting %q (settings are the flags' long names, as in --help)", key)
		}
	}
	return nil
}

func collectFlags(n *kong.Node, into map[string]bool) {
	for _, f := range n.Flags {
		into[f.Name] = true
	}
	for _, c := range n.Children {
		collectFlags(c, into)
	}
}

// Resolve gives the file's value for a flag unless its environment variable is set.
func (r *configResolver) Resolve(_ *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
	s, ok := r.settings[flag.Name]
	if !ok || notFromFile[flag.Name] {
		return nil, nil
	}
	for _, name := range flag.Envs {
		if _, set := os.LookupEnv(name); set {
			return nil, nil
		}
	}
	if s.list != nil {
		return s.list, nil
	}
	return s.scalar, nil
}

func (r *configResolver) errorf(line int, format string, args ...any) error {
	return haven.Errorf(haven.EINVALID, "config file %s:%d: %s", r.path, line, fmt.Sprintf(format, args...))
}
