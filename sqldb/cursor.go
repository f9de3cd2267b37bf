package sqldb

import (
	"encoding/base64"
	"encoding/json"

	"github.com/haven-helpline/haven"
)

// cursor is the keyset position after the last row of a page: the values of its sort columns.
type cursor struct {
	Sort string  `json:"s"`
	Keys []int64 `json:"k"`
	Back bool    `json:"b,omitempty"` // the page before the position, not after
}

func encodeCursor(sort string, keys ...int64) string {
	return encodeCursorDir(sort, false, keys...)
}

// encodeCursorDir is encodeCursor for lists that page both ways: back marks the page before.
func encodeCursorDir(sort string, back bool, keys ...int64) string {
	b, _ := json.Marshal(cursor{Sort: sort, Keys: keys, Back: back})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, sort string, n int) ([]int64, error) {
	k, back, err := decodeCursorDir(s, sort, n)
	if err == nil && back {
		return nil, &haven.Error{Code: haven.EINVALID, Message: "invalid cursor", Fields: map[string]string{"cursor": "this list pages forwards only"}}
	}
	return k, err
}

// decodeCursorDir is decodeCursor for lists that page both ways.
func decodeCursorDir(s, sort string, n int) ([]int64, bool, error) {
	bad := &haven.Error{Code: haven.EINVALID, Message: "invalid cursor", Fields: map[string]string{"cursor": "not a cursor from this list"}}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false, bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Sort != sort || len(c.Keys) != n {
		return nil, false, bad
	}
	return c.Keys, c.Back, nil
}
