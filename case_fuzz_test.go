package haven_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/haven-helpline/haven"
)

// FuzzCaseCreate decodes arbitrary JSON as the API does, then normalises and validates it: no
// panic, and whatever passes validation keeps the invariants the stores rely on.
func FuzzCaseCreate(f *testing.F) {
	for _, seed := range []string{`{"title":"Phishing","priority":"P1","tags":["Gmail","gmail"]}`,
		`{"title":"اختراق","language":"ar","requester":{"name":"نور","email":"nour@example.org"}}`,
		`{"title":" ","tlp":"red"}`, `{"title":"x","tags":["a b"]}`, `{"title":"x","tier":3}`, `[]`, `null`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var in haven.CaseCreate
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if dec.Decode(&in) != nil {
			return
		}
		in.Normalize()
		err := in.Validate()
		if err != nil {
			if haven.ErrorCode(err) != haven.EINVALID || len(haven.AsError(err).Fields) == 0 {
				t.Fatalf("refusal without field errors: %v", err)
			}
			return
		}
		if in.Title == "" || len(in.Title) > haven.MaxTitle || !in.Priority.Valid() || !in.TLP.Valid() ||
			!slices.IsSorted(in.Tags) || len(slices.Compact(slices.Clone(in.Tags))) != len(in.Tags) {
			t.Fatalf("accepted an invalid case: %+v", in)
		}
		for _, tag := range in.Tags {
			if !utf8.ValidString(tag) || tag == "" {
				t.Fatalf("accepted tag %q", tag)
			}
		}
	})
}
