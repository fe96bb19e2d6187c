package notify

import "strings"

// MaxDestinations is SES's limit on the recipients of one message, To, Cc
// and Bcc together.
const MaxDestinations = 50

// Destination is the recipients of one message.
type Destination struct {
	To  []string
	Bcc []string
}

// Len returns the number of recipients.
func (d Destination) Len() int { return len(d.To) + len(d.Bcc) }

// All returns every recipient, To first.
func (d Destination) All() []string {
	return append(append([]string{}, d.To...), d.Bcc...)
}

// Chunk splits the recipients into messages of at most max destinations
// each (MaxDestinations when max <= 0). Addresses are de-duplicated
// without regard to case, and an address in to is not repeated in bcc.
// To recipients come first, so a lessee is in the first message only.
// Chunk returns nil when there is nobody to write to.
func Chunk(to, bcc []string, max int) []Destination {
	if max <= 0 {
		max = MaxDestinations
	}
	seen := map[string]bool{}
	uniq := func(in []string) []string {
		var out []string
		for _, a := range in {
			a = strings.TrimSpace(a)
			k := strings.ToLower(a)
			if a == "" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, a)
		}
		return out
	}
	to, bcc = uniq(to), uniq(bcc)
	var out []Destination
	for len(to)+len(bcc) > 0 {
		var d Destination
		n := min(len(to), max)
		d.To, to = to[:n:n], to[n:]
		m := min(len(bcc), max-n)
		d.Bcc, bcc = bcc[:m:m], bcc[m:]
		out = append(out, d)
	}
	return out
}

// halves splits d into two destinations of about half the recipients
// each, keeping every recipient's To or Bcc role. d must hold at least two.
func (d Destination) halves() (Destination, Destination) {
	mid := d.Len() / 2
	if mid <= len(d.To) {
		return Destination{To: d.To[:mid:mid]}, Destination{To: d.To[mid:], Bcc: d.Bcc}
	}
	k := mid - len(d.To)
	return Destination{To: d.To, Bcc: d.Bcc[:k:k]}, Destination{Bcc: d.Bcc[k:]}
}
