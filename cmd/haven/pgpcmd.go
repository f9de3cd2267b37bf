package main

import (
	"os"
	"strings"
	"text/tabwriter"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/pgp"
)

// PGPCmd groups the commands of the helpline's OpenPGP keys.
type PGPCmd struct {
	Import   PGPImportCmd   `cmd:"" help:"Import a helpline key pair (armored private key; passphrase from HAVEN_PGP_PASSPHRASE). It is stored encrypted by the master key."`
	Generate PGPGenerateCmd `cmd:"" help:"Create and store a new helpline key pair; prints its public key."`
	List     PGPListCmd     `cmd:"" help:"List the helpline's key pairs."`
	Export   PGPExportCmd   `cmd:"" help:"Print the public key of a key pair, to publish for requesters."`
}

// PGPImportCmd imports a key pair.
type PGPImportCmd struct {
	DBFlags
	File string `arg:"" type:"existingfile" help:"Armored private key file."`
}

// Run checks the key, unlocks it with HAVEN_PGP_PASSPHRASE when locked, and stores it.
func (c *PGPImportCmd) Run(e *env) error {
	raw, err := os.ReadFile(c.File)
	if err != nil {
		return err
	}
	var pass []byte
	if p := os.Getenv("HAVEN_PGP_PASSPHRASE"); p != "" {
		pass = []byte(p)
	}
	info, err := pgp.Inspect(raw)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "%v", err)
	}
	if !info.IsPrivate || !info.CanEncrypt {
		return haven.Errorf(haven.EINVALID, "%s is not a private key that can decrypt (a key pair is needed)", info.Fingerprint)
	}
	unlocked, err := pgp.Unlocked(raw, pass)
	if err != nil {
		return haven.Errorf(haven.EINVALID, "%v", err)
	}
	return c.store(e, info.Fingerprint, unlocked)
}

func (c *PGPImportCmd) store(e *env, fingerprint string, armored []byte) (err error) {
	a, err := c.open(e, true)
	if err != nil {
		return err
	}
	defer cleanup(&err, a.Close)
	if err := a.svc.ImportPGPKeyAsSystem(e.ctx, fingerprint, string(armored)); err != nil {
		return err
	}
	e.printf("imported %s\n", fingerprint)
	return nil
}

// PGPGenerateCmd creates a key pair.
type PGPGenerateCmd struct {
	DBFlags
	Name  string `name:"name" required:"" help:"Name on the key, e.g. the helpline's."`
	Email string `name:"email" required:"" help:"The helpline address the key is for."`
}

// Run creates, stores and prints the public key.
func (c *PGPGenerateCmd) Run(e *env) error {
	priv, err := pgp.GenerateKey(c.Name, c.Email, nil)
	if err != nil {
		return err
	}
	info, err := pgp.Inspect(priv)
	if err != nil {
		return err
	}
	imp := PGPImportCmd{DBFlags: c.DBFlags}
	if err := imp.store(e, info.Fingerprint, priv); err != nil {
		return err
	}
	pub, err := pgp.PublicFromAny(priv)
	if err != nil {
		return err
	}
	_, err = e.stdout.Write(pub)
	return err
}

// PGPListCmd lists key pairs.
type PGPListCmd struct{ DBFlags }

// Run prints fingerprint, user ids and date; the first key signs outgoing mail.
func (c *PGPListCmd) Run(e *env) error {
	keys, err := storedKeys(e, c.DBFlags)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	e.fprintln(w, "FINGERPRINT\tUSER IDS\tIMPORTED")
	for _, k := range keys {
		info, _ := pgp.Inspect([]byte(k.Armored))
		e.fprintf(w, "%s\t%s\t%s\n", k.Fingerprint, strings.Join(info.UserIDs, ", "), k.CreatedAt.Format("2006-01-02"))
	}
	return w.Flush()
}

// PGPExportCmd prints a public key.
type PGPExportCmd struct {
	DBFlags
	Fingerprint string `arg:"" help:"The key's fingerprint (or its end)."`
}

// Run prints the armored public key.
func (c *PGPExportCmd) Run(e *env) error {
	keys, err := storedKeys(e, c.DBFlags)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if strings.HasSuffix(k.Fingerprint, strings.ToUpper(strings.ReplaceAll(c.Fingerprint, " ", ""))) {
			pub, err := pgp.PublicFromAny([]byte(k.Armored))
			if err != nil {
				return err
			}
			_, err = e.stdout.Write(pub)
			return err
		}
	}
	return haven.Errorf(haven.ENOTFOUND, "no key pair %s", c.Fingerprint)
}

// storedKeys reads the helpline's key pairs.
func storedKeys(e *env, flags DBFlags) (keys []*haven.PGPKey, err error) {
	a, err := flags.open(e, true)
	if err != nil {
		return nil, err
	}
	defer cleanup(&err, a.Close)
	return a.svc.PGPKeysAsSystem(e.ctx)
}
