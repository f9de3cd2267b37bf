package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"time"

	"github.com/haven-helpline/haven"
)

// writeJSON answers v as JSON. v is encoded before anything is sent, so an encoding failure still
// becomes a clean 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"internal error; it has been logged"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// items is the shape of every non-paginated list: {"items":[…]}, never null.
type items[T any] struct {
	Items []T `json:"items"`
}

func list[T any](xs []T) items[T] {
	if xs == nil {
		xs = []T{}
	}
	return items[T]{Items: xs}
}

// decode reads the JSON request body into dst: one JSON value of at most MaxBodyBytes, with no
// unknown fields and nothing after it.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return withStatus(http.StatusUnsupportedMediaType, haven.Errorf(haven.EINVALID,
			"the request body must be JSON (Content-Type: application/json)"))
	}
	if r.ContentLength > s.cfg.MaxBodyBytes {
		return tooLarge(s.cfg.MaxBodyBytes)
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return s.decodeError(err)
	}
	if err := dec.Decode(&json.RawMessage{}); !errors.Is(err, io.EOF) {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return tooLarge(s.cfg.MaxBodyBytes)
		}
		return haven.Errorf(haven.EINVALID, "the request body must hold a single JSON value")
	}
	return nil
}

var unknownFieldRE = regexp.MustCompile(`unknown field "([^"]*)"`)

// decodeError turns a JSON decoding failure into a coded error naming what went wrong.
func (s *Server) decodeError(err error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return tooLarge(s.cfg.MaxBodyBytes)
	}
	if syn, ok := errors.AsType[*json.SyntaxError](err); ok {
		return haven.Errorf(haven.EINVALID, "malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	}
	if typ, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return &haven.Error{Code: haven.EINVALID, Message: "a field has the wrong type",
			Fields: map[string]string{field: "must be " + jsonType(typ)}}
	}
	if m := unknownFieldRE.FindStringSubmatch(err.Error()); m != nil {
		return &haven.Error{Code: haven.EINVALID, Message: fmt.Sprintf("unknown field %q", m[1]),
			Fields: map[string]string{m[1]: "unknown field"}}
	}
	if _, ok := errors.AsType[*time.ParseError](err); ok {
		return haven.Errorf(haven.EINVALID, "times must be RFC 3339, such as 2026-03-01T09:30:00Z")
	}
	switch {
	case errors.Is(err, io.EOF):
		return haven.Errorf(haven.EINVALID, "the request body is empty; a JSON object is expected")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return haven.Errorf(haven.EINVALID, "malformed JSON: the body ends too early")
	}
	return haven.Errorf(haven.EINVALID, "malformed JSON")
}

func jsonType(e *json.UnmarshalTypeError) string {
	if e.Type == nil {
		return "another type"
	}
	if e.Type.String() == "time.Time" {
		return "an RFC 3339 time"
	}
	switch e.Type.Kind().String() {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a " + e.Type.String()
}

func tooLarge(limit int64) error {
	return haven.Errorf(haven.ETOOLARGE, "the request body is larger than %d bytes", limit)
}
