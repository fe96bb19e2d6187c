package notify

import (
	"fmt"
	"slices"
	"testing"
)

func addrs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d@example.com", prefix, i)
	}
	return out
}

func TestChunk(t *testing.T) {
	tests := []struct {
		name string
		to   []string
		bcc  []string
		// want is each chunk's (To, Bcc) sizes.
		want [][2]int
	}{
		{"nobody to write to gives no message", nil, nil, nil},
		{"a lessee alone gives one message", []string{"dev@example.com"}, nil, [][2]int{{1, 0}}},
		{"120 Bcc recipients give messages of 50, 50 and 20", nil, addrs("a", 120), [][2]int{{0, 50}, {0, 50}, {0, 20}}},
		{"the lessee takes a place in the first message only", []string{"dev@example.com"}, addrs("a", 60), [][2]int{{1, 49}, {0, 11}}},
		{"exactly 50 recipients fit one message", []string{"dev@example.com"}, addrs("a", 49), [][2]int{{1, 49}}},
		{"an address in both groups is written to once", nil, append(addrs("a", 3), "A001@example.com", "a002@example.com"), [][2]int{{0, 3}}},
		{"a lessee who is also staff is not repeated in Bcc", []string{"dev@example.com"}, []string{"Dev@example.com", "x@example.com"}, [][2]int{{1, 1}}},
		{"blank addresses are dropped", []string{""}, []string{" ", "x@example.com"}, [][2]int{{0, 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Chunk(tc.to, tc.bcc, 0)
			var sizes [][2]int
			for _, d := range got {
				sizes = append(sizes, [2]int{len(d.To), len(d.Bcc)})
				if d.Len() > MaxDestinations {
					t.Errorf("a message has %d recipients", d.Len())
				}
			}
			if !slices.Equal(sizes, tc.want) {
				t.Errorf("chunk sizes = %v, want %v", sizes, tc.want)
			}
		})
	}
}

func TestHalvesKeepEveryRecipientAndItsRole(t *testing.T) {
	tests := []struct {
		name string
		d    Destination
	}{
		{"two Bcc recipients split one each", Destination{Bcc: addrs("a", 2)}},
		{"the lessee stays in To when the split falls in Bcc", Destination{To: []string{"dev@example.com"}, Bcc: addrs("a", 5)}},
		{"a split inside To keeps the Bcc recipients together", Destination{To: addrs("u", 4), Bcc: addrs("a", 1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tc.d.halves()
			if a.Len() == 0 || b.Len() == 0 || a.Len()+b.Len() != tc.d.Len() {
				t.Fatalf("halves of %d are %d and %d", tc.d.Len(), a.Len(), b.Len())
			}
			if got := append(a.To, b.To...); !slices.Equal(got, tc.d.To) {
				t.Errorf("To = %v, want %v", got, tc.d.To)
			}
			if got := append(slices.Clone(a.Bcc), b.Bcc...); !slices.Equal(got, tc.d.Bcc) {
				t.Errorf("Bcc = %v, want %v", got, tc.d.Bcc)
			}
		})
	}
}
