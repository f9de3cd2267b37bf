package main

import (
	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/keyring"
	"github.com/haven-helpline/haven/sqldb"
)

// KeyCmd groups the master-key commands.
type KeyCmd struct {
	Generate KeyGenerateCmd `cmd:"" help:"Print a new master key (store it with mode 600, or in HAVEN_MASTER_KEY)."`
	Rotate   KeyRotateCmd   `cmd:"" help:"Re-seal every data key under a new master key; resumable, no downtime (see docs/operations.md)."`
}

// KeyRotateCmd re-seals the data keys under a new master key.
type KeyRotateCmd struct {
	DBFlags
	NewKeyFile string `name:"new-key-file" required:"" placeholder:"FILE" help:"The new master key (mode 600); the current one comes from the usual places."`
}

// Run rotates, printing progress; run it again to resume after an interruption.
func (c *KeyRotateCmd) Run(e *env) (err error) {
	old, err := c.keyring()
	if err != nil {
		return err
	}
	newKey, err := loadKey("", c.NewKeyFile)
	if err != nil {
		return err
	}
	a, err := c.open(e, false)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	kr := keyring.NewKeyring(newKey, old.MasterKeys()...)
	if err := a.db.CheckSchema(e.ctx); err != nil {
		return err
	}
	if err := a.db.Unlock(e.ctx, kr); err != nil {
		return err
	}
	done, err := a.db.RotateKeys(e.ctx, kr, func(p sqldb.RotationProgress) {
		e.fprintf(e.stderr, "\rre-sealed %d of %d keys checked", p.Resealed, p.Checked)
	})
	e.fprintln(e.stderr)
	if err != nil {
		return err
	}
	e.printf("rotation complete: %d data keys re-sealed; the database now belongs to master key %s\n", done.Resealed, kr.CurrentID())
	return nil
}

// KeyGenerateCmd prints a new master key.
type KeyGenerateCmd struct{}

// Run prints the key and nothing else, so it can be redirected into a file.
func (KeyGenerateCmd) Run(e *env) error {
	encoded, err := keyring.GenerateMasterKey()
	if err != nil {
		return haven.Internal("generate master key", err)
	}
	e.println(encoded)
	return nil
}
