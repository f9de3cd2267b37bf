package sqldb

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/haven-helpline/haven"
)

// insertEventDetail stores an event's free text encrypted under its own data key, apart from the
// hash chain, so that erasure and retention can destroy it (eventdetail's migration).
func (tx *Tx) insertEventDetail(ctx context.Context, caseID int64, detail map[string]any) (int64, error) {
	k, err := tx.newRecordKey()
	if err != nil {
		return 0, err
	}
	sealed, err := k.seal(toJSON(detail), "event_detail")
	if err != nil {
		return 0, err
	}
	return tx.insertID(ctx, "insert event detail", `INSERT INTO event_details (case_id, detail, data_key)
		VALUES ($1, $2, $3) RETURNING id`, nullID(caseID), sealed, []byte(k.sealed))
}

// loadEventDetails fills in the Detail of the events that have one still kept.
func (tx *Tx) loadEventDetails(ctx context.Context, events []*haven.Event) error {
	byID := map[int64][]*haven.Event{}
	var ids []string
	for _, e := range events {
		if id, ok := e.Data["detail_id"].(float64); ok {
			if byID[int64(id)] == nil {
				ids = append(ids, strconv.FormatInt(int64(id), 10))
			}
			byID[int64(id)] = append(byID[int64(id)], e)
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		if err := tx.loadDetailBatch(ctx, ids[:n], byID); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// loadDetailBatch reads up to a few hundred details (ids are integers this code formatted).
func (tx *Tx) loadDetailBatch(ctx context.Context, ids []string, byID map[int64][]*haven.Event) error {
	rows, err := tx.query(ctx, `SELECT id, detail, data_key FROM event_details WHERE id IN (`+strings.Join(ids, ", ")+`)`)
	if err != nil {
		return mapError("event details", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var sealedText string
		var sealedKey []byte
		if err := rows.Scan(&id, &sealedText, &sealedKey); err != nil {
			return mapError("event details", err)
		}
		k, err := tx.openRecordKey(sealedKey)
		if err != nil {
			return err
		}
		text, err := k.open(sealedText, "event_detail")
		if err != nil {
			return err
		}
		var detail map[string]any
		if err := json.Unmarshal([]byte(text), &detail); err != nil {
			return haven.Internal("event detail", err)
		}
		for _, e := range byID[id] {
			e.Detail = detail
		}
	}
	return mapError("event details", rows.Err())
}
