// Package config holds the three runtime configurations of the platform and
// the rules that make them valid:
//
//   - Global: maintenance mode, lease limits, cleanup behaviour, sign-in and
//     email settings (the AppConfig profile "global-config").
//   - Reporting: the cost report groups leases may be charged to (the
//     AppConfig profile "reporting-config").
//   - Nuke: the aws-nuke v3 configuration the cleaner runs with (the AppConfig
//     profile "nuke-config"; the template lives in nuke-config/ at the root of
//     the repository).
//
// Every Parse function decodes strictly: a key the schema does not know is
// an error naming its dotted path, so a typo never silently falls back to a
// default. Keys left out keep the shipped defaults (defaults/*.yaml, embedded
// in the binary). Errors are *fault.ValidationError listing every broken rule
// by field, for example "leases.maxBudget".
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/isb-go/isb/common/fault"
)

// DocumentField is the field named by errors about the document as a whole:
// YAML syntax errors, more than one document, a top level that is not a
// mapping.
const DocumentField = "document"

// renamedKeys names the replacement of keys that aws-nuke v3 removed, for a
// more helpful "unknown key" message.
var renamedKeys = map[string]string{
	"account-blocklist": "blocklist",
	"account-blacklist": "blocklist",
	"targets":           "includes",
	"cloud-control":     "alternatives",
	"feature-flags":     "settings",
}

// parse decodes data over start, which holds the defaults, and validates
// the result: every Parse function's two steps. Nothing invalid is returned.
func parse[T interface{ Validate() error }](data []byte, start T) (T, error) {
	var zero T
	if err := decodeStrict(data, &start); err != nil {
		return zero, err
	}
	if err := start.Validate(); err != nil {
		return zero, err
	}
	return start, nil
}

// mustParseEmbedded parses a shipped defaults file; a broken one is a
// build mistake, so it panics.
func mustParseEmbedded[T interface{ Validate() error }](file string, data []byte) T {
	var zero T
	v, err := parse(data, zero)
	if err != nil {
		panic(fmt.Sprintf("config: embedded defaults/%s is invalid: %v", file, err))
	}
	return v
}

// decodeStrict decodes one YAML document onto out, which must point at a
// struct already holding the defaults. Keys missing from data keep their
// value in out. Unknown keys, repeated keys and values of the wrong kind are
// reported together, each under its dotted path. An empty document leaves out
// unchanged.
func decodeStrict(data []byte, out any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return invalid(DocumentField, "is not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return invalid(DocumentField, "must hold exactly one YAML document")
	}

	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	if isNull(root) {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return invalid(DocumentField, "must be a mapping of keys to values")
	}

	var f fault.Fields
	checkNode(&f, "", root, reflect.TypeOf(out).Elem())
	if err := f.Err(); err != nil {
		return err
	}

	// The walk above has already rejected everything KnownFields would; this
	// strict decoder is the second line of defence.
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(out); err != nil {
		return invalid(DocumentField, "%v", err)
	}
	return nil
}

// scalarShorthand marks struct types that may also be written as a single
// scalar (an aws-nuke filter written as a plain string).
type scalarShorthand interface{ acceptsScalar() }

var shorthandType = reflect.TypeOf((*scalarShorthand)(nil)).Elem()

// checkNode compares the YAML node n with the Go type t and records, under
// path, every key t does not have and every value of the wrong kind.
func checkNode(f *fault.Fields, path string, n *yaml.Node, t reflect.Type) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if isNull(n) {
		return // null keeps the default
	}
	if t.Implements(shorthandType) && n.Kind == yaml.ScalarNode {
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		checkNode(f, path, n, t.Elem())
	case reflect.Interface:
		// Free-form value (aws-nuke settings); anything goes.
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if t.Implements(shorthandType) {
				f.Add(path, "must be a string or a mapping of keys to values")
				return
			}
			f.Add(orDocument(path), "must be a mapping of keys to values")
			return
		}
		fields := yamlFields(t)
		eachPair(f, path, n, func(p, key string, v *yaml.Node) {
			ft, ok := fields[key]
			if !ok {
				f.Add(p, "is not a known key%s (known keys here: %s)", renameHint(key), knownKeys(fields))
				return
			}
			checkNode(f, p, v, ft)
		})
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			f.Add(orDocument(path), "must be a mapping of keys to values")
			return
		}
		eachPair(f, path, n, func(p, _ string, v *yaml.Node) {
			checkNode(f, p, v, t.Elem())
		})
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			f.Add(path, "must be a list")
			return
		}
		for i, item := range n.Content {
			checkNode(f, fmt.Sprintf("%s[%d]", path, i), item, t.Elem())
		}
	default:
		want := kindWord(t)
		if n.Kind != yaml.ScalarNode {
			f.Add(path, "must be %s", want)
			return
		}
		if !tagFits(n.ShortTag(), t) || n.Decode(reflect.New(t).Interface()) != nil {
			f.Add(path, "must be %s, not %q", want, n.Value)
		}
	}
}

// eachPair calls fn for every key of the mapping n, reporting repeated keys
// instead of passing them on.
func eachPair(f *fault.Fields, path string, n *yaml.Node, fn func(p, key string, v *yaml.Node)) {
	firstLine := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := joinPath(path, k.Value)
		if line, seen := firstLine[k.Value]; seen {
			f.Add(p, "is set twice (first on line %d)", line)
			continue
		}
		firstLine[k.Value] = k.Line
		fn(p, k.Value, v)
	}
}

// yamlFields maps the YAML key of each exported field of struct t to the
// field's type.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = strings.ToLower(sf.Name)
		}
		fields[name] = sf.Type
	}
	return fields
}

func knownKeys(fields map[string]reflect.Type) string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

func renameHint(key string) string {
	if newKey, ok := renamedKeys[key]; ok {
		return ": aws-nuke v3 replaced it with " + newKey
	}
	return ""
}

func kindWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a single line or block of text"
	default:
		return "a " + t.Kind().String()
	}
}

// tagFits reports whether a scalar with the resolved YAML tag may fill a
// field of type t. yaml.v3 alone would truncate 1.5 into an int and read
// "yes" as a bool; a configuration should say exactly what it means.
func tagFits(tag string, t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool:
		return tag == "!!bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return tag == "!!int"
	case reflect.Float32, reflect.Float64:
		return tag == "!!int" || tag == "!!float"
	default:
		return true
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orDocument(path string) string {
	if path == "" {
		return DocumentField
	}
	return path
}

// invalid returns a validation error with one broken rule.
func invalid(field, format string, args ...any) error {
	var f fault.Fields
	f.Add(field, format, args...)
	return f.Err()
}
