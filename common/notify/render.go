package notify

import (
	"embed"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/isb-go/isb/common/events"
	"github.com/isb-go/isb/common/names"
)

// Message is a rendered email: subject, HTML and plain-text bodies.
type Message struct {
	Subject string
	HTML    string
	Text    string
}

//go:embed templates/*.tmpl
var templateFiles embed.FS

// Each template file defines "subject" and "text" (plain text) and "html"
// (every interpolated value escaped), run by the evaluator of tmpl.go.

// funcNames are the names funcs defines, for the parser.
var funcNames = []string{"link", "usd", "hours", "approvedByPerson"}

// pages parses the templates on first use, one per detail-type of
// names.EmailDetailTypes; a missing or broken file fails every render
// (and TestEveryFixtureRenders).
var pages = sync.OnceValues(func() (map[string]page, error) {
	out := make(map[string]page, len(names.EmailDetailTypes))
	for _, dt := range names.EmailDetailTypes {
		src, err := templateFiles.ReadFile("templates/" + dt + ".tmpl")
		if err != nil {
			return nil, fmt.Errorf("no template for %s: %w", dt, err)
		}
		if out[dt], err = parsePage(dt, string(src), funcNames); err != nil {
			return nil, err
		}
	}
	return out, nil
})

// view is what a template sees.
type view struct {
	// Event is the concrete event (events.LeaseRequested, …).
	Event     events.Event
	User      string
	LeaseUUID string
	AccountID string
}

// funcs are the template functions. link joins a path of the web app to
// webAppURL and returns "" when no web app URL is configured, so templates
// write {{with link "leases"}} and the link disappears.
func funcs(webAppURL string) map[string]tmplFunc {
	str := func(f func(any) string) tmplFunc {
		return func(args []reflect.Value) (reflect.Value, error) {
			if len(args) != 1 {
				return reflect.Value{}, errors.New("takes one argument")
			}
			return reflect.ValueOf(f(value(args[0]))), nil
		}
	}
	return map[string]tmplFunc{
		"link": str(func(path any) string {
			if webAppURL == "" {
				return ""
			}
			u, err := url.JoinPath(webAppURL, fmt.Sprint(path))
			if err != nil {
				return ""
			}
			return u
		}),
		"usd":   str(usd),
		"hours": str(hours),
		"approvedByPerson": func(args []reflect.Value) (reflect.Value, error) {
			if len(args) != 1 {
				return reflect.Value{}, errors.New("approvedByPerson takes one argument")
			}
			return reflect.ValueOf(fmt.Sprint(printable(args[0])) != events.AutoApproved), nil
		},
	}
}

// value is what a template function is given: v as it is (a nil pointer
// stays one), or nil for nothing.
func value(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	return v.Interface()
}

// usd formats an amount in US dollars; a nil pointer is "no limit".
func usd(v any) string { return formatted[float64](v, "$%.2f", "no limit") }

// hours formats a number of hours; a nil pointer is "not set".
func hours(v any) string { return formatted[int](v, "%d hours", "not set") }

// formatted formats v, a T or a *T, with format; a nil pointer is none.
// Any other value is printed as it is.
func formatted[T any](v any, format, none string) string {
	switch x := v.(type) {
	case T:
		return fmt.Sprintf(format, x)
	case *T:
		if x == nil {
			return none
		}
		return fmt.Sprintf(format, *x)
	}
	return fmt.Sprint(v)
}

// Render builds the email of ev. webAppURL is Global.Auth.WebAppURL;
// empty leaves links out.
func Render(ev events.Event, webAppURL string) (Message, error) {
	all, err := pages()
	if err != nil {
		return Message{}, fmt.Errorf("render %s: %w", ev.DetailType(), err)
	}
	p, ok := all[ev.DetailType()]
	if !ok {
		return Message{}, fmt.Errorf("render %s: no email template", ev.DetailType())
	}
	k, _ := events.LeaseOf(ev)
	v := view{Event: ev, User: k.UserEmail, LeaseUUID: k.UUID, AccountID: events.AccountOf(ev)}
	fm := funcs(webAppURL)
	var parts [3]string
	for i, part := range []string{"subject", "text", "html"} {
		if parts[i], err = p.execute(part, v, fm, part == "html"); err != nil {
			return Message{}, fmt.Errorf("render %s %s: %w", ev.DetailType(), part, err)
		}
	}
	return Message{
		Subject: oneLine(parts[0]),
		HTML:    "<!DOCTYPE html>\n<html><body>\n" + parts[2] + "</body></html>\n",
		Text:    strings.TrimLeft(parts[1], "\n"),
	}, nil
}

// oneLine keeps a subject on one line whatever the event carried.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
