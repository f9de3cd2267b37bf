package service

import (
	"context"

	"github.com/haven-helpline/haven"
)

// ImportPGPKeyAsSystem stores a helpline key pair (`haven pgp import`); the caller has checked it.
func (s *Service) ImportPGPKeyAsSystem(ctx context.Context, fingerprint, armoredPrivate string) error {
	now := s.clock.Now()
	return s.store.Update(ctx, func(tx haven.Tx) error {
		if err := tx.InsertPGPKey(ctx, &haven.PGPKey{Fingerprint: fingerprint, Armored: armoredPrivate, CreatedAt: now}); err != nil {
			return err
		}
		return record(ctx, tx, now, nil, "pgp.key_imported", "pgp_key", fingerprint, 0, nil)
	})
}

// PGPKeysAsSystem lists the helpline key pairs, private parts included (server start, CLI).
func (s *Service) PGPKeysAsSystem(ctx context.Context) ([]*haven.PGPKey, error) {
	var keys []*haven.PGPKey
	err := s.store.View(ctx, func(tx haven.Tx) (err error) {
		keys, err = tx.PGPKeys(ctx)
		return err
	})
	return keys, err
}
