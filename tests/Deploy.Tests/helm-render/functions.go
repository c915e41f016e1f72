package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

// templateFailure is what `fail` and `required` stop a render with.
type templateFailure struct{ message string }

func (f templateFailure) Error() string { return f.message }

// Helm stops an include that recurses deeper than this.
const maxIncludeDepth = 1000

// functions is sprig's function map with Helm's changes: env and expandenv removed, and Helm's own
// functions added (include, tpl, required, fail, lookup, toYaml and the other conversions).
func functions(root *template.Template) template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	depth := map[string]int{}
	f["include"] = func(name string, data interface{}) (string, error) {
		if depth[name] > maxIncludeDepth {
			return "", fmt.Errorf("rendering template has a nested reference name: %s", name)
		}
		depth[name]++
		defer func() { depth[name]-- }()
		var buffer bytes.Buffer
		if err := root.ExecuteTemplate(&buffer, name, data); err != nil {
			return "", err
		}
		return buffer.String(), nil
	}
	f["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buffer bytes.Buffer
		if err := t.Execute(&buffer, data); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buffer.String(), "<no value>", ""), nil
	}
	f["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil {
			return nil, templateFailure{message}
		}
		if s, ok := value.(string); ok && s == "" {
			return nil, templateFailure{message}
		}
		return value, nil
	}
	f["fail"] = func(message string) (string, error) { return "", templateFailure{message} }
	// No cluster here: every lookup finds nothing, as under `helm template`.
	f["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		return map[string]interface{}{}, nil
	}
	f["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	f["fromYaml"] = func(text string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(text), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromYamlArray"] = func(text string) []interface{} {
		var a []interface{}
		if err := yaml.Unmarshal([]byte(text), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
	f["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	f["fromJson"] = func(text string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(text), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromJsonArray"] = func(text string) []interface{} {
		var a []interface{}
		if err := json.Unmarshal([]byte(text), &a); err != nil {
			a = []interface{}{err.Error()}
		}
		return a
	}
	return f
}
