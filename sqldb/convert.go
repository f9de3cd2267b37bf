package sqldb

import (
	"database/sql"
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/haven-helpline/haven"
)

// Times are stored as microseconds since the Unix epoch (UTC) in both dialects.

func micros(t time.Time) int64 { return t.UTC().UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(*t), Valid: true}
}

func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMicros(n.Int64)
	return &t
}

// noDue sorts cases without an SLA deadline after every case that has one.
const noDue = math.MaxInt64

func dueSort(c *haven.Case) int64 {
	if d := c.DueAt(); d != nil {
		return micros(*d)
	}
	return noDue
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func toJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// fromJSON decodes a column written by toJSON; a corrupt value yields the zero value rather than
// failing a whole list.
func fromJSON[T any](s string) T {
	var v T
	_ = json.Unmarshal([]byte(s), &v)
	return v
}

// stringsFromJSON decodes a JSON array of strings written by toJSON (categories, tags). Labels
// are plain words, so it splits them directly unless an escape or a quote inside makes the full
// decoder necessary: decoding the labels of every listed case was a tenth of an inbox page.
func stringsFromJSON(s string) []string {
	if s == "[]" || s == "null" || s == "" {
		return nil
	}
	if len(s) < 4 || s[0] != '[' || s[1] != '"' || s[len(s)-2] != '"' || s[len(s)-1] != ']' ||
		strings.ContainsRune(s, '\\') {
		return fromJSON[[]string](s)
	}
	parts := strings.Split(s[2:len(s)-2], `","`)
	for _, p := range parts {
		if strings.ContainsRune(p, '"') {
			return fromJSON[[]string](s)
		}
	}
	return parts
}

// consentFromJSON decodes a consent written by toJSON: one of eight texts, known in advance.
func consentFromJSON(s string) haven.Consent {
	for _, c := range allConsents {
		if c.text == s {
			return c.value
		}
	}
	return fromJSON[haven.Consent](s)
}

type encodedConsent struct {
	text  string
	value haven.Consent
}

// allConsents are the eight consents with their stored texts.
var allConsents = func() []encodedConsent {
	var out []encodedConsent
	for i := range 8 {
		v := haven.Consent{Contact: i&1 != 0, ShareWithPartner: i&2 != 0, Statistics: i&4 != 0}
		out = append(out, encodedConsent{toJSON(v), v})
	}
	return out
}()

// nullString stores "" as NULL (a column that references another, like a category's parent).
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
