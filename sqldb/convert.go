package sqldb

import (
	"database/sql"
	"encoding/json"
	"math"
	"time"

	"haven"
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
