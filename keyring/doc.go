// Package keyring encrypts Haven's sensitive data at rest with envelope
// encryption, so that a copy of the database alone reveals nothing of the
// encrypted fields.
//
// # Keys
//
// The master key (MasterKey) lives outside the database: in the
// HAVEN_MASTER_KEY environment variable or in a file readable only by its
// owner (chmod 600); see LoadMasterKey and GenerateMasterKey. It never
// encrypts data. It only seals ("wraps") other keys:
//
//   - a DataKey per record (a requester, a message, a note), which
//     encrypts that record's fields with XChaCha20-Poly1305 (Encrypt);
//   - a FileKey per attachment, which encrypts the file with age
//     (FileKey.EncryptWriter);
//   - one IndexKey per installation, which computes blind indexes
//     (IndexKey.Blind) so a requester can be found by email or handle
//     without that value being stored in plaintext.
//
// Only the sealed form (SealedKey) of these keys is stored, next to the
// data. A SealedKey records the ID of the master key that sealed it and
// its purpose, so a data key cannot be opened as an index key or file key.
//
// # Crypto-shredding
//
// Deleting a record's SealedKey destroys the record: its ciphertext, in the
// live database and in every backup made since, can no longer be
// decrypted. This is how "erase this person" is honoured even where backups
// cannot be edited. A backup holding both the ciphertext and its sealed key
// stays readable to whoever has the master key that sealed it, so shredding
// is complete once such backups have expired, or once that master key has
// been rotated out and destroyed.
//
// # Rotation
//
// To replace the master key, start with NewKeyring(newKey, oldKey) and run
// Keyring.Reseal over every stored SealedKey (data, index and file keys).
// Only the small sealed keys are rewritten; encrypted fields, attachments
// and blind indexes stay as they are. When no SealedKey names the old ID
// (SealedKey.MasterID), remove the old key from the configuration and
// destroy it. A leaked master key is only contained once it is rotated
// out and old backups holding keys sealed by it are destroyed.
//
// # Binding values to their place
//
// Encrypt takes additional authenticated data (AAD) naming where the value
// lives, by convention "<table>:<row id>:<column>", e.g.
// "requester:42:name". It is not stored. A ciphertext copied into another
// row or column, by a bug or by someone with write access to the database,
// fails to decrypt (ErrTampered) instead of being shown as someone else's
// data.
//
// # What this protects
//
// A copied database file, a pg_dump, a stolen backup or disk, or a reader
// of the database without the master key learns nothing of the encrypted
// fields and attachments, and cannot forge or alter them undetected (every
// value is authenticated). Someone with write access can still delete
// values, or put back an older value of the same field of the same row
// (a rollback), which the AAD cannot tell apart.
//
// # What this does not protect
//
//   - A running Haven server. It holds the master key and every key it
//     opens; whoever controls the process, its memory, its environment or
//     the key file can read everything. Go cannot reliably wipe memory, so
//     keys may linger in RAM and swap.
//   - The full-text search index, and any column stored in plaintext so
//     that it can be searched, sorted or filtered.
//   - Metadata: which rows exist, their counts, dates and times, sizes of
//     ciphertexts (roughly the size of each value), foreign keys linking
//     requesters, cases and messages, statuses and audit events.
//   - Blind indexes reveal equality: two requesters with the same email
//     have the same index value, and a guessed value can be checked by
//     anyone holding the index key (which the server does).
//   - Deleted data that still exists in plaintext elsewhere: logs, mail
//     servers, exports, the search index.
//
// Errors are distinguishable with errors.Is against the exported Err
// values and never include key material; every key type prints as
// "[redacted]" through fmt and log/slog.
package keyring
