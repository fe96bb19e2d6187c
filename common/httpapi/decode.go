package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"strconv"
	"strings"

	"github.com/isb-go/isb/common/fault"
	"github.com/isb-go/isb/common/page"
)

// MaxBodyBytes bounds a request body; API Gateway allows 10 MB, no route
// needs more than a few kilobytes.
const MaxBodyBytes = 64 << 10

// Decode reads a JSON request body into v strictly: the content type must
// be application/json (or application/*+json), the body one JSON value, and
// every key one v knows. Every problem is an error naming its field.
func Decode(r *Request, v any, multiline ...string) error {
	if err := checkJSONContentType(r.ContentType); err != nil {
		return err
	}
	return DecodeBytes(r.Body, v, multiline...)
}

// DecodeBytes is Decode without the content-type check. Strings may hold
// no control character, except tabs and line breaks in the top-level
// fields named in multiline (free text such as comments).
func DecodeBytes(body []byte, v any, multiline ...string) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return invalid("body", "is required")
	}
	if len(body) > MaxBodyBytes {
		return invalid("body", "must be at most %d bytes", MaxBodyBytes)
	}
	if err := checkValues(body, multiline); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid("body", "must hold exactly one JSON value")
	}
	return nil
}

func checkJSONContentType(ct string) error {
	if ct == "" {
		return fmt.Errorf("%w: Content-Type must be application/json", UnsupportedMediaType)
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("%w: Content-Type %q does not parse", UnsupportedMediaType, ct)
	}
	typ, sub, _ := strings.Cut(mt, "/")
	if typ != "application" || (sub != "json" && !strings.HasSuffix(sub, "+json")) {
		return fmt.Errorf("%w: Content-Type must be application/json, not %s", UnsupportedMediaType, mt)
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return invalid(field, "must be %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &syn):
		return invalid("body", "is not valid JSON (at byte %d)", syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("body", "is not valid JSON (it ends early)")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return invalid(name, "is not a known field")
	default:
		return invalid("body", "is not valid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "float64", "float32", "int", "int64", "int32":
		return "a number"
	case "slice":
		return "a list"
	case "struct", "map":
		return "an object"
	default:
		return "a " + k
	}
}

func invalid(field, format string, args ...any) error {
	var f fault.Fields
	f.Add(field, format, args...)
	return f.Err()
}

// IsNull reports whether a raw field holds JSON null (PATCH bodies use
// null to clear a field and absence to leave it alone).
func IsNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// DecodeField decodes one raw field strictly into v, naming field (and its
// sub-fields) in every error.
func DecodeField(field string, raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ve *fault.ValidationError
		if errors.As(decodeError(err), &ve) {
			var f fault.Fields
			for _, fe := range ve.Fields {
				name := field
				if fe.Field != "body" && fe.Field != "" {
					name = field + "." + fe.Field
				}
				f.Add(name, "%s", fe.Message)
			}
			return f.Err()
		}
		return invalid(field, "is not valid")
	}
	return nil
}

// Paging query parameters.
const (
	QueryPageIdentifier = "pageIdentifier"
	QueryPageSize       = "pageSize"
)

// ParsePage reads pageIdentifier and pageSize. pageSize must be a whole
// number from 1 to maxSize; absent, it is maxSize (as upstream).
func ParsePage(query map[string]string, maxSize int32) (page.Page, error) {
	p := page.Page{Size: maxSize, Token: query[QueryPageIdentifier]}
	if len(p.Token) > 4096 {
		return p, invalid(QueryPageIdentifier, "is not a token this listing issued")
	}
	if s, ok := query[QueryPageSize]; ok {
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil || n < 1 || n > int64(maxSize) {
			return p, invalid(QueryPageSize, "must be a whole number from 1 to %d", maxSize)
		}
		p.Size = int32(n)
	}
	return p, nil
}

// RequireJSON checks that the request says its body is JSON
// (application/json or application/*+json); otherwise the error answers 415.
func RequireJSON(r *Request) error { return checkJSONContentType(r.ContentType) }
