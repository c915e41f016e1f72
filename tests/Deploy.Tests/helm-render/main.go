// Command helm-render renders a Helm chart the way `helm template` does, as far as the shopify-pinterest
// chart needs: it is NOT Helm. It is Go's text/template with sprig's functions (Helm's own engine) plus
// this file's versions of Helm's extra functions, so that tests/Deploy.Tests can check the rendered
// objects on a machine without helm. What it leaves out: subcharts and dependencies, hooks, CRDs in
// crds/, .helmignore (it reads only Chart.yaml, values.yaml, values.schema.json, templates/ and the
// files .Files.Get names), --set's full syntax (see setValue), and a real cluster for lookup.
//
//	helm-render [--name shop] [--namespace default] [-f values.yaml]... [--set a.b=1]... [--set-string a.b=x]...
//	            [--skip-schema-validation] [--notes] <chart directory>
//
// Output: the manifests as one YAML stream, each document headed by "# Source: <chart>/templates/<file>",
// sorted by kind in Helm's install order, empty documents left out. Errors go to stderr, exit code 1.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/ghodss/yaml"
)

type options struct {
	releaseName    string
	namespace      string
	valueFiles     []string
	sets           []string
	setStrings     []string
	skipSchema     bool
	notes          bool
	chartDirectory string
}

func main() {
	opts, err := parseArguments(os.Args[1:])
	if err == nil {
		err = run(opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func parseArguments(args []string) (options, error) {
	opts := options{releaseName: "release-name", namespace: "default"}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		value := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("%s needs a value", arg)
			}
			i++
			return args[i], nil
		}
		var err error
		var v string
		switch arg {
		case "--name":
			v, err = value()
			opts.releaseName = v
		case "--namespace", "-n":
			v, err = value()
			opts.namespace = v
		case "-f", "--values":
			v, err = value()
			opts.valueFiles = append(opts.valueFiles, v)
		case "--set":
			v, err = value()
			opts.sets = append(opts.sets, v)
		case "--set-string":
			v, err = value()
			opts.setStrings = append(opts.setStrings, v)
		case "--skip-schema-validation":
			opts.skipSchema = true
		case "--notes":
			opts.notes = true
		default:
			if strings.HasPrefix(arg, "-") || opts.chartDirectory != "" {
				return opts, fmt.Errorf("unknown argument %q", arg)
			}
			opts.chartDirectory = arg
		}
		if err != nil {
			return opts, err
		}
	}
	if opts.chartDirectory == "" {
		return opts, errors.New("no chart directory given")
	}
	return opts, nil
}

func run(opts options) error {
	chart, err := readYamlFile(filepath.Join(opts.chartDirectory, "Chart.yaml"))
	if err != nil {
		return err
	}
	chartName, _ := chart["name"].(string)
	values, err := readYamlFile(filepath.Join(opts.chartDirectory, "values.yaml"))
	if err != nil {
		return err
	}
	for _, file := range opts.valueFiles {
		overlay, err := readYamlFile(file)
		if err != nil {
			return err
		}
		values = coalesce(values, overlay)
	}
	for _, set := range opts.sets {
		if err := setValue(values, set, false); err != nil {
			return err
		}
	}
	for _, set := range opts.setStrings {
		if err := setValue(values, set, true); err != nil {
			return err
		}
	}
	if !opts.skipSchema {
		if err := validateAgainstSchema(opts.chartDirectory, chartName, values); err != nil {
			return err
		}
	}

	top := map[string]interface{}{
		"Values":       values,
		"Chart":        chartObject(chart),
		"Release":      map[string]interface{}{"Name": opts.releaseName, "Namespace": opts.namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Capabilities": capabilities(),
		"Files":        files{directory: opts.chartDirectory},
	}
	rendered, err := renderTemplates(opts.chartDirectory, chartName, top)
	if err != nil {
		return err
	}
	return writeManifests(os.Stdout, os.Stderr, rendered, opts.notes)
}

func readYamlFile(path string) (map[string]interface{}, error) {
	data, err := ioutil.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// As Helm reads values: YAML through JSON, so every number is a float64.
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if out == nil {
		out = map[string]interface{}{}
	}
	return out, nil
}

// coalesce merges overlay over base as Helm merges -f files: maps key by key, anything else replaced,
// and a null in the overlay removes the key.
func coalesce(base, overlay map[string]interface{}) map[string]interface{} {
	for key, value := range overlay {
		if value == nil {
			delete(base, key)
			continue
		}
		from, fromIsMap := value.(map[string]interface{})
		to, toIsMap := base[key].(map[string]interface{})
		if fromIsMap && toIsMap {
			base[key] = coalesce(to, from)
		} else {
			base[key] = value
		}
	}
	return base
}

// chartObject is .Chart: Helm exposes Chart.yaml's fields capitalised (name -> Name, appVersion -> AppVersion).
func chartObject(chart map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for key, value := range chart {
		out[strings.ToUpper(key[:1])+key[1:]] = value
	}
	if _, ok := out["AppVersion"]; !ok {
		out["AppVersion"] = ""
	}
	return out
}

type apiVersions []string

// Has answers as a cluster would that serves only the built-in API groups this chart's kinds use.
func (a apiVersions) Has(version string) bool {
	for _, v := range a {
		if v == version {
			return true
		}
	}
	return false
}

func capabilities() map[string]interface{} {
	return map[string]interface{}{
		"KubeVersion": map[string]interface{}{"Version": "v1.33.0", "Major": "1", "Minor": "33", "GitVersion": "v1.33.0"},
		"APIVersions": apiVersions{"v1", "apps/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1"},
		"HelmVersion": map[string]interface{}{"Version": "v3-compatible (helm-render, not Helm)"},
	}
}

// files is .Files: Get reads a file of the chart, "" when there is none (as Helm's does).
type files struct{ directory string }

func (f files) Get(name string) string {
	clean := filepath.Clean(name)
	if filepath.IsAbs(clean) || strings.HasPrefix(clean, "..") {
		return ""
	}
	data, err := ioutil.ReadFile(filepath.Join(f.directory, clean))
	if err != nil {
		return ""
	}
	return string(data)
}

type renderedFile struct {
	name string
	text string
}

func renderTemplates(chartDirectory, chartName string, top map[string]interface{}) ([]renderedFile, error) {
	root := template.New("chart")
	var names []string
	templates := filepath.Join(chartDirectory, "templates")
	err := filepath.Walk(templates, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		relative, _ := filepath.Rel(chartDirectory, path)
		name := chartName + "/" + filepath.ToSlash(relative)
		data, err := ioutil.ReadFile(path)
		if err != nil {
			return err
		}
		if _, err := root.New(name).Funcs(functions(root)).Parse(string(data)); err != nil {
			return fmt.Errorf("parse error in %s: %w", name, err)
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	// Helm's default: a missing map key is an empty value, and "<no value>" is written as nothing.
	root.Option("missingkey=zero")
	var out []renderedFile
	for _, name := range names {
		if strings.HasPrefix(filepath.Base(name), "_") {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"}
		var buffer bytes.Buffer
		if err := root.ExecuteTemplate(&buffer, name, data); err != nil {
			return nil, cleanError(err)
		}
		out = append(out, renderedFile{name: name, text: strings.ReplaceAll(buffer.String(), "<no value>", "")})
	}
	return out, nil
}

// cleanError keeps what `fail` and `required` said, as Helm prints it, without the template stack.
func cleanError(err error) error {
	var failure templateFailure
	if errors.As(err, &failure) {
		return fmt.Errorf("execution error at (%s): %s", locationOf(err), failure.message)
	}
	return err
}

var location = regexp.MustCompile(`template: ([^:]+:\d+:\d+)`)

func locationOf(err error) string {
	if match := location.FindStringSubmatch(err.Error()); match != nil {
		return match[1]
	}
	return "?"
}

var documentSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)

var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList",
	"ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
	"Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
}

type manifest struct {
	source string
	kind   string
	name   string
	text   string
}

func writeManifests(out, notesOut *os.File, rendered []renderedFile, notes bool) error {
	var manifests []manifest
	for _, file := range rendered {
		if strings.HasSuffix(file.name, "/NOTES.txt") {
			if notes {
				fmt.Fprintln(notesOut, file.text)
			}
			continue
		}
		for _, document := range documentSeparator.Split(file.text, -1) {
			if onlyComments(document) {
				continue
			}
			var head struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(document), &head); err != nil {
				return fmt.Errorf("YAML parse error on %s: %w", file.name, err)
			}
			manifests = append(manifests, manifest{source: file.name, kind: head.Kind, name: head.Metadata.Name, text: strings.TrimSpace(document)})
		}
	}
	rank := func(kind string) int {
		for i, k := range installOrder {
			if k == kind {
				return i
			}
		}
		return len(installOrder)
	}
	sort.SliceStable(manifests, func(i, j int) bool {
		a, b := manifests[i], manifests[j]
		if rank(a.kind) != rank(b.kind) {
			return rank(a.kind) < rank(b.kind)
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.name < b.name
	})
	for _, m := range manifests {
		fmt.Fprintf(out, "---\n# Source: %s\n%s\n", m.source, m.text)
	}
	return nil
}

// onlyComments: Helm drops whitespace-only documents; this also drops comment-only ones (no object).
func onlyComments(document string) bool {
	for _, line := range strings.Split(document, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed != "" && !strings.HasPrefix(trimmed, "#") {
			return false
		}
	}
	return true
}
