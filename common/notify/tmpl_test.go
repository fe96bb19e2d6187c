package notify

import (
	"reflect"
	"strings"
	"testing"
)

func TestTemplateEvaluator(t *testing.T) {
	type data struct {
		Name string
		URL  string
		N    *int
		M    map[string]string
	}
	two := 2
	d := data{Name: `<b>"x"</b>`, URL: "https://example.com/a?b=1&c=2", N: &two, M: map[string]string{"k": "v"}}
	fm := map[string]tmplFunc{"twice": func(args []reflect.Value) (reflect.Value, error) {
		return reflect.ValueOf(strings.Repeat(value(args[0]).(string), 2)), nil
	}}
	tests := []struct {
		name, src string
		data      any
		html      bool
		want      string
		wantErr   string
	}{
		{"a field prints as it is in text", `{{.Name}}`, d, false, `<b>"x"</b>`, ""},
		{"a field is escaped in HTML", `<p>{{.Name}}</p>`, d, true, `<p>&lt;b&gt;&#34;x&#34;&lt;/b&gt;</p>`, ""},
		{"an http URL is kept, escaped, as a whole href", `<a href="{{.URL}}">`, d, true,
			`<a href="https://example.com/a?b=1&amp;c=2">`, ""},
		{"a javascript URL in an href is refused as html/template does", `<a href="{{.}}">`, "javascript:alert(1)", true,
			`<a href="#ZgotmplZ">`, ""},
		{"a value in any other place inside a tag is an error", `<a title="{{.Name}}">`, d, true, "", "inside an HTML tag"},
		{"a pointer prints its value", `{{.N}}`, d, false, "2", ""},
		{"a map key is a field", `{{.M.k}}`, d, false, "v", ""},
		{"if, else if and else choose by eq of print", `{{if eq (print .N) "1"}}one{{else if eq (print .N) "2"}}two{{else}}many{{end}}`,
			d, false, "two", ""},
		{"with sets dot and or falls back to its last argument", `{{with .Name}}[{{.}}]{{end}}{{or .M.none "none"}}`,
			d, false, `[<b>"x"</b>]none`, ""},
		{"an empty string is false", `{{if .Name}}yes{{else}}no{{end}}`, data{}, false, "no", ""},
		{"a template function is called with its argument", `{{twice .M.k}}`, d, false, "vv", ""},
		{"an unknown field is an error", `{{.Nope}}`, d, false, "", "no field Nope"},
		{"a variable is not supported", `{{$x := .Name}}{{$x}}`, d, false, "", "unsupported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := `{{define "subject"}}{{end}}{{define "text"}}` + tc.src + `{{end}}{{define "html"}}{{end}}`
			p, err := parsePage("t", src, []string{"twice"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.execute("text", tc.data, fm, tc.html)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestAPageLackingAPartIsRefused(t *testing.T) {
	if _, err := parsePage("t", `{{define "subject"}}s{{end}}{{define "text"}}t{{end}}`, nil); err == nil {
		t.Error("a page without an html part parsed")
	}
}
