package haven

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
)

// ChainHash is the digest of an event at position seq following an event whose hash is prev (the
// store keys it with an HMAC before storing it as the event's hash). It
// covers every stored field (data as its stored JSON text), each length-prefixed so that no two
// different events serialise alike, except the row id, which is assigned when the already-chained
// event is inserted (its position is seq).
func ChainHash(prev string, seq int64, e *Event, data string) string {
	h := sha256.New()
	for _, field := range []string{"haven-audit-v2", prev, strconv.FormatInt(seq, 10),
		strconv.FormatInt(e.At.UnixMicro(), 10),
		strconv.FormatInt(e.ActorID, 10), e.Action, e.ObjectType, e.ObjectID,
		strconv.FormatInt(e.CaseID, 10), data, e.ClientIP} {
		h.Write([]byte(strconv.Itoa(len(field))))
		h.Write([]byte{':'})
		h.Write([]byte(field))
	}
	return hex.EncodeToString(h.Sum(nil))
}
