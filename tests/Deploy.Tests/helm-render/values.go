package main

import (
	"encoding/json"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/xeipuuv/gojsonschema"
)

// setValue applies one --set (or --set-string) argument: comma-separated key=value pairs, keys
// dotted (a "\." is a literal dot, as in Kafka.Client.sasl\.password), "name[2]" an element of a list,
// "{a,b}" a list. Typed as Helm types them: true, false, null (removes the key) and integers without a
// leading zero; anything else is a string. Not supported: --set-file, --set-json, a comma inside a value.
// One difference from Helm: "list[0].key=v" changes that element of the list the values files gave,
// where Helm replaces the whole list with one holding only what --set said.
func setValue(values map[string]interface{}, argument string, asString bool) error {
	for _, pair := range splitUnescaped(argument, ',', true) {
		equals := strings.Index(pair, "=")
		if equals < 0 {
			return fmt.Errorf("--set %q: no = in %q", argument, pair)
		}
		keys := splitUnescaped(pair[:equals], '.', false)
		var value interface{} = pair[equals+1:]
		if !asString {
			value = typed(pair[equals+1:])
		}
		if err := assign(values, keys, value); err != nil {
			return fmt.Errorf("--set %q: %w", argument, err)
		}
	}
	return nil
}

// splitUnescaped splits at separator except after a backslash, and leaves braces' contents whole when asked.
func splitUnescaped(text string, separator rune, keepBraces bool) []string {
	var parts []string
	var current strings.Builder
	escaped, braces := false, 0
	for _, r := range text {
		switch {
		case escaped:
			if r != separator {
				current.WriteRune('\\')
			}
			current.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case keepBraces && r == '{':
			braces++
			current.WriteRune(r)
		case keepBraces && r == '}':
			braces--
			current.WriteRune(r)
		case r == separator && braces == 0:
			parts = append(parts, current.String())
			current.Reset()
		default:
			current.WriteRune(r)
		}
	}
	return append(parts, current.String())
}

var integer = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

func typed(text string) interface{} {
	switch {
	case strings.HasPrefix(text, "{") && strings.HasSuffix(text, "}"):
		var list []interface{}
		for _, item := range splitUnescaped(text[1:len(text)-1], ',', false) {
			list = append(list, typed(item))
		}
		return list
	case text == "true":
		return true
	case text == "false":
		return false
	case text == "null":
		return nil
	case integer.MatchString(text):
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			return n
		}
	}
	return text
}

var indexed = regexp.MustCompile(`^(.+)\[(\d+)\]$`)

func assign(node map[string]interface{}, keys []string, value interface{}) error {
	key := keys[0]
	if match := indexed.FindStringSubmatch(key); match != nil {
		index, _ := strconv.Atoi(match[2])
		list, _ := node[match[1]].([]interface{})
		for len(list) <= index {
			list = append(list, nil)
		}
		if len(keys) == 1 {
			list[index] = value
		} else {
			child, ok := list[index].(map[string]interface{})
			if !ok {
				child = map[string]interface{}{}
			}
			if err := assign(child, keys[1:], value); err != nil {
				return err
			}
			list[index] = child
		}
		node[match[1]] = list
		return nil
	}
	if len(keys) == 1 {
		if value == nil {
			delete(node, key)
		} else {
			node[key] = value
		}
		return nil
	}
	child, ok := node[key].(map[string]interface{})
	if !ok {
		child = map[string]interface{}{}
		node[key] = child
	}
	return assign(child, keys[1:], value)
}

// validateAgainstSchema checks the merged values against the chart's values.schema.json, as Helm does
// before it renders (with the same library Helm 3 used up to 3.17, gojsonschema), and words the
// failure as Helm does.
func validateAgainstSchema(chartDirectory, chartName string, values map[string]interface{}) error {
	schema, err := ioutil.ReadFile(filepath.Join(chartDirectory, "values.schema.json"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	document, err := json.Marshal(values)
	if err != nil {
		return err
	}
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewBytesLoader(document))
	if err != nil {
		return fmt.Errorf("values.schema.json: %w", err)
	}
	if result.Valid() {
		return nil
	}
	var message strings.Builder
	fmt.Fprintf(&message, "values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n", chartName)
	for _, e := range result.Errors() {
		fmt.Fprintf(&message, "- %s\n", e)
	}
	return fmt.Errorf("%s", strings.TrimSuffix(message.String(), "\n"))
}
