package httpapi

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxParamBytes bounds a path or query value. No identifier the API issues
// is longer (a page token is the longest), and DynamoDB refuses keys over
// 2,048 bytes, so nothing longer is worth reading.
const MaxParamBytes = 4096

// textProblem says what is wrong with s as text a person or a client
// sends, or "" when nothing is. encoding/json and API Gateway turn
// invalid UTF-8 (and lone surrogates) into U+FFFD, so a replacement
// character is refused too: it would be stored in place of what was sent.
// Tabs and line breaks are allowed in free text (freeText) only.
func textProblem(s string, freeText bool) string {
	if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
		return "must be valid UTF-8 text"
	}
	for _, r := range s {
		if freeText && (r == '\t' || r == '\n' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) {
			return "must not contain control characters (such as NUL)"
		}
	}
	return ""
}

// checkParam refuses a path or query value that is not text or is longer
// than MaxParamBytes, naming the parameter.
func checkParam(name, value string) error {
	if len(value) > MaxParamBytes {
		return invalid(name, "must be at most %d bytes", MaxParamBytes)
	}
	if p := textProblem(value, false); p != "" {
		return invalid(name, "%s", p)
	}
	return nil
}

// checkParams checks every path and query parameter of a request.
func checkParams(r *Request) error {
	for _, set := range []map[string]string{r.Params, r.Query} {
		for k, v := range set {
			if textProblem(k, false) != "" || len(k) > MaxParamBytes {
				return invalid("query", "has a parameter name that is not text")
			}
			if err := checkParam(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

var errNotJSON = errors.New("not JSON")

// checkValues walks a JSON body before it is decoded and refuses what
// encoding/json would accept silently: a key given twice (the last one
// would win) and strings that are not text. Each problem names its field
// as a path (budgetThresholds[0].action). Syntax errors are left to the
// decoder, which reports them.
func checkValues(body []byte, multiline []string) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	err := walk(dec, "", multiline)
	if errors.Is(err, errNotJSON) {
		return nil
	}
	return err
}

func walk(dec *json.Decoder, path string, multiline []string) error {
	tok, err := dec.Token()
	if err != nil {
		return errNotJSON
	}
	switch t := tok.(type) {
	case string:
		if p := textProblem(t, slices.Contains(multiline, path)); p != "" {
			return invalid(fieldName(path), "%s", p)
		}
	case json.Delim:
		switch t {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return errNotJSON
				}
				k, _ := kt.(string)
				if textProblem(k, false) != "" {
					return invalid(fieldName(path), "has a key that is not text")
				}
				child := k
				if path != "" {
					child = path + "." + k
				}
				if seen[k] {
					return invalid(child, "is given more than once")
				}
				seen[k] = true
				if err := walk(dec, child, multiline); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walk(dec, path+"["+strconv.Itoa(i)+"]", multiline); err != nil {
					return err
				}
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return errNotJSON
		}
	}
	return nil
}

func fieldName(path string) string {
	if path == "" {
		return "body"
	}
	return path
}
