package notify

import (
	"errors"
	"fmt"
	"html"
	"net/url"
	"reflect"
	"strings"
	"text/template/parse"
)

// The email templates are parsed with text/template/parse and run by the
// small evaluator below instead of text/template and html/template:
// text/template looks methods up by name at run time, and a program that
// can do so keeps every exported method of every type it links (the SDK's
// included), which made the notifier half as large again as the other
// functions. The evaluator reads struct fields and map keys only, calls
// the functions of a fixed set, and supports the actions the templates
// use: output, if/else if/else, with/else, and the or, eq and print
// built-ins. In the HTML part every value is escaped; a value inside a tag
// is allowed only as a whole href attribute, and only as an http(s) or
// relative URL.

// page is one template file: its "subject", "text" and "html" definitions.
type page map[string]*parse.Tree

// tmplFunc is a template function.
type tmplFunc func(args []reflect.Value) (reflect.Value, error)

// builtins are the built-in functions the evaluator knows, beside those
// of funcs.
var builtins = []string{"or", "eq", "print"}

func parsePage(name, src string, funcNames []string) (page, error) {
	known := map[string]any{}
	for _, n := range append(funcNames, builtins...) {
		known[n] = struct{}{}
	}
	trees, err := parse.Parse(name, src, "", "", known)
	if err != nil {
		return nil, err
	}
	for _, part := range []string{"subject", "text", "html"} {
		if trees[part] == nil {
			return nil, fmt.Errorf("%s: no %q template", name, part)
		}
	}
	return page(trees), nil
}

// execute runs part of p on data; escapeHTML escapes every value for HTML.
func (p page) execute(part string, data any, funcs map[string]tmplFunc, escapeHTML bool) (string, error) {
	s := &state{funcs: funcs, html: escapeHTML}
	if err := s.walk(reflect.ValueOf(data), p[part].Root); err != nil {
		return "", fmt.Errorf("template %s: %w", part, err)
	}
	return s.out.String(), nil
}

type state struct {
	out   strings.Builder
	funcs map[string]tmplFunc
	html  bool
}

func (s *state) walk(dot reflect.Value, node parse.Node) error {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := s.walk(dot, c); err != nil {
				return err
			}
		}
		return nil
	case *parse.TextNode:
		s.out.Write(n.Text)
		return nil
	case *parse.ActionNode:
		v, err := s.pipe(dot, n.Pipe)
		if err != nil {
			return err
		}
		return s.print(v)
	case *parse.IfNode:
		return s.branch(dot, &n.BranchNode, false)
	case *parse.WithNode:
		return s.branch(dot, &n.BranchNode, true)
	}
	return fmt.Errorf("unsupported template action %s", node)
}

func (s *state) branch(dot reflect.Value, n *parse.BranchNode, with bool) error {
	v, err := s.pipe(dot, n.Pipe)
	if err != nil {
		return err
	}
	if truth(v) {
		if with {
			dot = v
		}
		return s.walk(dot, n.List)
	}
	if n.ElseList != nil {
		return s.walk(dot, n.ElseList)
	}
	return nil
}

func (s *state) pipe(dot reflect.Value, p *parse.PipeNode) (reflect.Value, error) {
	if len(p.Decl) > 0 || len(p.Cmds) != 1 {
		return reflect.Value{}, fmt.Errorf("unsupported pipeline %s", p)
	}
	args := p.Cmds[0].Args
	if id, ok := args[0].(*parse.IdentifierNode); ok {
		vals := make([]reflect.Value, 0, len(args)-1)
		for _, a := range args[1:] {
			v, err := s.arg(dot, a)
			if err != nil {
				return reflect.Value{}, err
			}
			vals = append(vals, v)
		}
		return s.call(id.Ident, vals)
	}
	if len(args) != 1 {
		return reflect.Value{}, fmt.Errorf("unsupported command %s", p.Cmds[0])
	}
	return s.arg(dot, args[0])
}

func (s *state) arg(dot reflect.Value, n parse.Node) (reflect.Value, error) {
	switch a := n.(type) {
	case *parse.DotNode:
		return dot, nil
	case *parse.FieldNode:
		return field(dot, a.Ident)
	case *parse.StringNode:
		return reflect.ValueOf(a.Text), nil
	case *parse.PipeNode:
		return s.pipe(dot, a)
	}
	return reflect.Value{}, fmt.Errorf("unsupported argument %s", n)
}

func (s *state) call(name string, args []reflect.Value) (reflect.Value, error) {
	switch name {
	case "or":
		for _, a := range args {
			if truth(a) {
				return a, nil
			}
		}
		if len(args) == 0 {
			return reflect.Value{}, errors.New("or needs arguments")
		}
		return args[len(args)-1], nil
	case "eq":
		if len(args) != 2 {
			return reflect.Value{}, errors.New("eq takes two arguments")
		}
		a, b := indirect(args[0]), indirect(args[1])
		if !a.IsValid() || !b.IsValid() || a.Kind() != b.Kind() || !a.Type().Comparable() {
			return reflect.Value{}, fmt.Errorf("eq cannot compare %s and %s", a, b)
		}
		return reflect.ValueOf(a.Interface() == b.Interface()), nil
	case "print":
		vals := make([]any, len(args))
		for i, a := range args {
			vals[i] = printable(a)
		}
		return reflect.ValueOf(fmt.Sprint(vals...)), nil
	}
	f, ok := s.funcs[name]
	if !ok {
		return reflect.Value{}, fmt.Errorf("no function %q", name)
	}
	return f(args)
}

// field follows a chain of field names (or map keys) from v.
func field(v reflect.Value, chain []string) (reflect.Value, error) {
	for _, name := range chain {
		v = indirect(v)
		switch {
		case !v.IsValid():
			return reflect.Value{}, fmt.Errorf("nil value evaluating .%s", name)
		case v.Kind() == reflect.Struct:
			f, ok := v.Type().FieldByName(name)
			if !ok || !f.IsExported() {
				return reflect.Value{}, fmt.Errorf("%s has no field %s", v.Type(), name)
			}
			v = v.FieldByIndex(f.Index)
		case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String:
			v = v.MapIndex(reflect.ValueOf(name).Convert(v.Type().Key()))
		default:
			return reflect.Value{}, fmt.Errorf("cannot evaluate .%s of %s", name, v.Type())
		}
	}
	return v, nil
}

// indirect follows pointers and interfaces; a nil one gives the zero Value.
func indirect(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// truth is text/template's: the zero value of a kind, a nil pointer and an
// empty string, slice or map are false; a struct is true.
func truth(v reflect.Value) bool {
	if !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() > 0
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() != 0
	case reflect.Float32, reflect.Float64:
		return v.Float() != 0
	case reflect.Pointer, reflect.Interface, reflect.Chan, reflect.Func:
		return !v.IsNil()
	}
	return true
}

// printable is what an action prints: the value behind pointers, or
// "<no value>" for nothing (the tests look for that text).
func printable(v reflect.Value) any {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "<no value>"
		}
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
	}
	if !v.IsValid() {
		return "<no value>"
	}
	return v.Interface()
}

func (s *state) print(v reflect.Value) error {
	text := fmt.Sprint(printable(v))
	if !s.html {
		s.out.WriteString(text)
		return nil
	}
	so := s.out.String()
	if strings.LastIndexByte(so, '<') > strings.LastIndexByte(so, '>') {
		// Inside a tag: only a whole href value is allowed.
		if !strings.HasSuffix(so, ` href="`) {
			return errors.New("a value inside an HTML tag may only be a whole href attribute")
		}
		text = safeURL(text)
	}
	s.out.WriteString(html.EscapeString(text))
	return nil
}

// safeURL keeps http(s) and relative URLs and replaces any other (a
// javascript: URL, say) with html/template's marker of a refused value.
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https") {
		return "#ZgotmplZ"
	}
	return raw
}
