package sqldb

import (
	"encoding/base64"
	"encoding/json"

	"haven"
)

// cursor is the keyset position after the last row of a page: the values of its sort columns.
type cursor struct {
	Sort string  `json:"s"`
	Keys []int64 `json:"k"`
}

func encodeCursor(sort string, keys ...int64) string {
	b, _ := json.Marshal(cursor{Sort: sort, Keys: keys})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, sort string, n int) ([]int64, error) {
	bad := &haven.Error{Code: haven.EINVALID, Message: "invalid cursor", Fields: map[string]string{"cursor": "not a cursor from this list"}}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Sort != sort || len(c.Keys) != n {
		return nil, bad
	}
	return c.Keys, nil
}
