package idcsetup

import (
	"bytes"
	"encoding/json"
)

// sameJSON reports whether two JSON documents are equal once compacted;
// Identity Center may return the inline policy reformatted.
func sameJSON(a, b string) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, []byte(a)) != nil || json.Compact(&cb, []byte(b)) != nil {
		return a == b
	}
	return ca.String() == cb.String()
}
