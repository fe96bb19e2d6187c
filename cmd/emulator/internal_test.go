package emulator

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestLogBufferKeepsTheTailAndWhatFollowsAMark(t *testing.T) {
	tests := []struct {
		name      string
		before    string // written before the mark
		after     string // written after it
		max       int    // buffer size
		wantSince string
		wantTail  string
	}{
		{name: "everything fits", before: "abc", after: "def", max: 16, wantSince: "def", wantTail: "abcdef"},
		{name: "old output is dropped", before: "abcdef", after: "gh", max: 4, wantSince: "gh", wantTail: "efgh"},
		{name: "output since the mark is cut to what is kept", before: "ab", after: "cdefgh", max: 4, wantSince: "efgh", wantTail: "efgh"},
		{name: "nothing written after the mark", before: "abc", max: 8, wantSince: "", wantTail: "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newLogBuffer(tt.max)
			_, _ = b.Write([]byte(tt.before))
			mark := b.Mark()
			_, _ = b.Write([]byte(tt.after))
			if got := b.Since(mark, 1024); got != tt.wantSince {
				t.Errorf("Since = %q, want %q", got, tt.wantSince)
			}
			if got := b.Tail(1024); got != tt.wantTail {
				t.Errorf("Tail = %q, want %q", got, tt.wantTail)
			}
		})
	}
}

func TestSentEmailDecodesBothDestinationShapes(t *testing.T) {
	tests := []struct {
		name string
		json string
		want SentEmail
	}{
		{
			name: "a simple message has destinations by kind",
			json: `{"kind":"Message","source":"a@x","destinations":{"ToAddresses":["b@x"]},"subject":"s","body":"b"}`,
			want: SentEmail{Kind: "Message", Source: "a@x", Destinations: map[string][]string{"ToAddresses": {"b@x"}}, Subject: "s", Body: "b"},
		},
		{
			name: "a raw message has a list of recipients",
			json: `{"kind":"RawMessage","source":"a@x","destinations":["b@x","c@x"],"rawData":"MIME"}`,
			want: SentEmail{Kind: "RawMessage", Source: "a@x", RawDestinations: []string{"b@x", "c@x"}, RawData: "MIME"},
		},
		{
			name: "a message without destinations decodes",
			json: `{"kind":"Message","source":"a@x"}`,
			want: SentEmail{Kind: "Message", Source: "a@x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got SentEmail
			if err := json.Unmarshal([]byte(tt.json), &got); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
