package share

import (
	"strings"
	"time"

	"github.com/haven-helpline/haven/indicator"
)

// havenNamespace is the UUIDv5 namespace of the ids Haven gives its shared objects (a random UUID
// fixed once: changing it would change every id partners already hold).
var havenNamespace = [16]byte{0x3b, 0x6e, 0x0f, 0x52, 0x9c, 0x1d, 0x4f, 0x7a, 0x8e, 0x21, 0x5d, 0xc4, 0x90, 0x6b, 0x37, 0xe8}

// stableID is the id of an object of type typ that the helpline's key names: the same helpline
// exporting the same key gets the same id, so a partner's second import updates rather than
// duplicates; two helplines using the same key get different ids.
func stableID(identity, typ, key string) string {
	return typ + "--" + uuid5(strings.Join([]string{identity, typ, key}, "\x00"))
}

// uuid5 is the name-based UUID (RFC 9562, version 5) of name in Haven's namespace.
func uuid5(name string) string { return indicator.UUID5(havenNamespace, name) }

// stixTime writes a STIX timestamp: UTC, RFC 3339, milliseconds (STIX 2.1 §3.2 requires them
// for created and modified; the rest use them for consistency).
func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// orDefault is t, or d when t is unset.
func orDefault(t, d time.Time) time.Time {
	if t.IsZero() {
		return d
	}
	return t
}
