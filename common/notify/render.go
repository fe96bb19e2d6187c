package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"

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

// pair is one event type's templates. Each file defines "subject" and
// "text" (executed with text/template) and "html" (executed with
// html/template, so every interpolated value is escaped for its context).
type pair struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates holds one pair per detail-type of names.EmailDetailTypes,
// parsed once; a missing or broken file stops the program at start.
var templates = func() map[string]pair {
	out := make(map[string]pair, len(names.EmailDetailTypes))
	for _, dt := range names.EmailDetailTypes {
		src, err := templateFiles.ReadFile("templates/" + dt + ".tmpl")
		if err != nil {
			panic(fmt.Sprintf("notify: no template for %s: %v", dt, err))
		}
		out[dt] = pair{
			text: texttemplate.Must(texttemplate.New(dt).Funcs(texttemplate.FuncMap(funcs(""))).Parse(string(src))),
			html: htmltemplate.Must(htmltemplate.New(dt).Funcs(htmltemplate.FuncMap(funcs(""))).Parse(string(src))),
		}
	}
	return out
}()

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
func funcs(webAppURL string) map[string]any {
	return map[string]any{
		"link": func(path string) string {
			if webAppURL == "" {
				return ""
			}
			u, err := url.JoinPath(webAppURL, path)
			if err != nil {
				return ""
			}
			return u
		},
		"usd":              usd,
		"hours":            hours,
		"approvedByPerson": func(s string) bool { return s != events.AutoApproved },
	}
}

// usd formats an amount in US dollars; a nil pointer is "no limit".
func usd(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("$%.2f", x)
	case *float64:
		if x == nil {
			return "no limit"
		}
		return fmt.Sprintf("$%.2f", *x)
	}
	return fmt.Sprint(v)
}

// hours formats a number of hours; a nil pointer is "not set".
func hours(v any) string {
	switch x := v.(type) {
	case int:
		return fmt.Sprintf("%d hours", x)
	case *int:
		if x == nil {
			return "not set"
		}
		return fmt.Sprintf("%d hours", *x)
	}
	return fmt.Sprint(v)
}

// Render builds the email of ev. webAppURL is Global.Auth.WebAppURL;
// empty leaves links out.
func Render(ev events.Event, webAppURL string) (Message, error) {
	p, ok := templates[ev.DetailType()]
	if !ok {
		return Message{}, fmt.Errorf("render %s: no email template", ev.DetailType())
	}
	k, _ := events.LeaseOf(ev)
	user, leaseUUID := k.UserEmail, k.UUID
	v := view{Event: ev, User: user, LeaseUUID: leaseUUID, AccountID: events.AccountOf(ev)}
	fm := funcs(webAppURL)

	// Clone before Funcs: the parsed templates are shared by every call
	// and the link function depends on this call's URL.
	tt, err := p.text.Clone()
	if err != nil {
		return Message{}, fmt.Errorf("render %s: %w", ev.DetailType(), err)
	}
	tt.Funcs(texttemplate.FuncMap(fm))
	ht, err := p.html.Clone()
	if err != nil {
		return Message{}, fmt.Errorf("render %s: %w", ev.DetailType(), err)
	}
	ht.Funcs(htmltemplate.FuncMap(fm))

	var subject, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, "subject", v); err != nil {
		return Message{}, fmt.Errorf("render %s subject: %w", ev.DetailType(), err)
	}
	if err := tt.ExecuteTemplate(&text, "text", v); err != nil {
		return Message{}, fmt.Errorf("render %s text: %w", ev.DetailType(), err)
	}
	if err := ht.ExecuteTemplate(&html, "html", v); err != nil {
		return Message{}, fmt.Errorf("render %s html: %w", ev.DetailType(), err)
	}
	return Message{
		Subject: oneLine(subject.String()),
		HTML:    "<!DOCTYPE html>\n<html><body>\n" + html.String() + "</body></html>\n",
		Text:    strings.TrimLeft(text.String(), "\n"),
	}, nil
}

// oneLine keeps a subject on one line whatever the event carried.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
