package sqldb

import (
	"context"

	"github.com/haven-helpline/haven"
)

// CaseCorrespondent reads where a case's replies go; ENOTFOUND when none is recorded.
func (tx *Tx) CaseCorrespondent(ctx context.Context, caseID int64) (*haven.Correspondent, error) {
	var c haven.Correspondent
	var sealed []byte
	err := tx.queryRow(ctx, `SELECT address, pending, data_key FROM case_correspondents WHERE case_id = $1`, caseID).
		Scan(&c.Address, &c.Pending, &sealed)
	if err != nil {
		return nil, notFound(err, "case correspondent")
	}
	k, err := tx.openRecordKey(sealed)
	if err != nil {
		return nil, err
	}
	return &c, k.openAll(correspondentFields(&c))
}

// SetCaseCorrespondent records a case's address, encrypted under a new data key, with the blind
// index that lets intake recognise the case's correspondent without decrypting.
func (tx *Tx) SetCaseCorrespondent(ctx context.Context, caseID int64, c *haven.Correspondent) error {
	k, err := tx.newRecordKey()
	if err != nil {
		return err
	}
	enc := *c
	if err := k.sealAll(correspondentFields(&enc)); err != nil {
		return err
	}
	blind := tx.blind(haven.Contact{Kind: "email", Value: c.Address})
	return tx.execLater(ctx, "case_correspondents", "set case correspondent", `INSERT INTO case_correspondents (case_id, address, blind, pending, data_key)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id) DO UPDATE SET address = $2, blind = $3, pending = $4, data_key = $5`,
		caseID, enc.Address, blind, enc.Pending, []byte(k.sealed))
}

func correspondentFields(c *haven.Correspondent) map[string]*string {
	return map[string]*string{"case_correspondent:address": &c.Address, "case_correspondent:pending": &c.Pending}
}
