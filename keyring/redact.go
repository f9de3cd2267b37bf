package keyring

import (
	"fmt"
	"io"
	"log/slog"

	"filippo.io/age"
)

// redactedText replaces every secret in fmt and slog output.
const redactedText = "[redacted]"

// writeRedacted implements fmt.Formatter for all secret-holding types.
// Implementing Format (not only String) matters: without it, verbs such as
// %d would make fmt print the fields by reflection.
func writeRedacted(f fmt.State) { _, _ = io.WriteString(f, redactedText) }

// hiddenKey keeps key bytes two pointers away from the struct holding them.
// fmt ignores Format methods on values it reaches through unexported fields
// (a DataKey inside some other struct) and prints them by reflection; with
// a verb such as %s its "%!s(...)" message expands one pointer, but prints
// the second as an address, so the bytes never reach the output.
type hiddenKey struct{ bytes *[keySize]byte }

func newHiddenKey() *hiddenKey { return &hiddenKey{bytes: new([keySize]byte)} }

// hiddenIdentity does the same for an age identity, whose fields are
// plain byte slices.
type hiddenIdentity struct{ identity *age.X25519Identity }

// The methods below keep secrets out of fmt, log and log/slog output. They
// use value receivers so that a dereferenced key is redacted too.

func (MasterKey) String() string             { return redactedText }
func (MasterKey) GoString() string           { return redactedText }
func (MasterKey) Format(f fmt.State, _ rune) { writeRedacted(f) }
func (MasterKey) LogValue() slog.Value       { return slog.StringValue(redactedText) }

func (DataKey) String() string             { return redactedText }
func (DataKey) GoString() string           { return redactedText }
func (DataKey) Format(f fmt.State, _ rune) { writeRedacted(f) }
func (DataKey) LogValue() slog.Value       { return slog.StringValue(redactedText) }

func (IndexKey) String() string             { return redactedText }
func (IndexKey) GoString() string           { return redactedText }
func (IndexKey) Format(f fmt.State, _ rune) { writeRedacted(f) }
func (IndexKey) LogValue() slog.Value       { return slog.StringValue(redactedText) }

func (FileKey) String() string             { return redactedText }
func (FileKey) GoString() string           { return redactedText }
func (FileKey) Format(f fmt.State, _ rune) { writeRedacted(f) }
func (FileKey) LogValue() slog.Value       { return slog.StringValue(redactedText) }
