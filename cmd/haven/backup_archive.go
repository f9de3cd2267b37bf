package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"regexp"
	"time"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"

	"github.com/haven-helpline/haven"
	"github.com/haven-helpline/haven/sqldb"
)

// A Haven backup is one file: a tar archive compressed with zstd, optionally encrypted with age.
// It holds the database (a SQLite snapshot or a pg_dump custom-format dump), the encrypted
// attachments the database refers to, and, last, manifest.json: the sha256 and size of every
// entry and what the snapshot held. The manifest comes last so that a truncated file lacks it.
// The master key is never in a backup.
const (
	backupFormat        = "haven-backup"
	backupFormatVersion = 1
	manifestName        = "manifest.json"
	sqliteEntry         = "database/haven.db"
	pgdumpEntry         = "database/haven.pgdump"
)

// fileEntry is the name of an attachment's ciphertext: files/ab/cd/abcd…, as in DATA/files.
var fileEntry = regexp.MustCompile(`^files/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$`)

// manifest describes a backup.
type manifest struct {
	Format        string          `json:"format"`
	FormatVersion int             `json:"format_version"`
	HavenVersion  string          `json:"haven_version"`
	SchemaVersion int             `json:"schema_version"`
	Dialect       string          `json:"dialect"`
	CreatedAt     time.Time       `json:"created_at"`
	MasterKeyID   string          `json:"master_key_id"` // which key opens the data; the key itself is never here
	Counts        backupCounts    `json:"counts"`
	AuditChain    backupChain     `json:"audit_chain"`
	MissingFiles  []string        `json:"missing_files,omitempty"` // shredded after the snapshot, before the copy
	Entries       []manifestEntry `json:"entries"`
}

type backupCounts struct {
	Cases       int64 `json:"cases"`
	Messages    int64 `json:"messages"`
	Attachments int64 `json:"attachments"`
}

type backupChain struct {
	Events int64  `json:"events"`
	Head   string `json:"head"`
}

type manifestEntry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// newManifest fills a manifest from a snapshot's facts.
func newManifest(dialect sqldb.Dialect, at time.Time, f *sqldb.BackupFacts) *manifest {
	return &manifest{
		Format: backupFormat, FormatVersion: backupFormatVersion, HavenVersion: version,
		SchemaVersion: f.SchemaVersion, Dialect: string(dialect), CreatedAt: at.UTC(), MasterKeyID: f.MasterKeyID,
		Counts:     backupCounts{Cases: f.Cases, Messages: f.Messages, Attachments: f.Attachments},
		AuditChain: backupChain{Events: f.AuditEvents, Head: f.AuditHead},
	}
}

// sameFacts reports how a database's facts differ from what the manifest recorded ("" if not).
func (m *manifest) sameFacts(f *sqldb.BackupFacts) string {
	got := newManifest(sqldb.Dialect(m.Dialect), m.CreatedAt, f)
	switch {
	case got.Counts != m.Counts:
		return fmt.Sprintf("the database holds %+v, the manifest says %+v", got.Counts, m.Counts)
	case got.AuditChain != m.AuditChain:
		return fmt.Sprintf("the audit chain ends at %d %s, the manifest says %d %s",
			got.AuditChain.Events, short(got.AuditChain.Head), m.AuditChain.Events, short(m.AuditChain.Head))
	case got.SchemaVersion != m.SchemaVersion:
		return fmt.Sprintf("the schema is at version %d, the manifest says %d", got.SchemaVersion, m.SchemaVersion)
	}
	return ""
}

func short(hash string) string {
	if len(hash) > 16 {
		return hash[:16] + "…"
	}
	return hash
}

// archiveWriter writes the entries of a backup: tar, into zstd, into age when there are recipients.
type archiveWriter struct {
	sealed  io.WriteCloser // age's writer, or nil
	out     io.Writer      // where the compressed stream goes (age's writer or the file)
	sum     hash.Hash      // of the compressed stream, for the trailer
	zw      *zstd.Encoder
	tw      *tar.Writer
	modTime time.Time // every entry's: the files' own times would say when each arrived
	entries []manifestEntry
}

func newArchiveWriter(out io.Writer, recipients []age.Recipient, at time.Time) (*archiveWriter, error) {
	w := &archiveWriter{modTime: at.UTC().Truncate(time.Second)}
	if len(recipients) > 0 {
		sealed, err := age.Encrypt(out, recipients...)
		if err != nil {
			return nil, haven.Errorf(haven.EINVALID, "cannot encrypt to the age recipients: %v", err)
		}
		w.sealed, out = sealed, sealed
	}
	w.out, w.sum = out, sha256.New()
	// The fastest level on one thread: the backup shares its machine with the server, and the
	// default level took 1.2 to 2.9 times as long for a file 5–11 % smaller (docs/performance.md).
	zw, err := zstd.NewWriter(io.MultiWriter(out, w.sum), zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, haven.Internal("zstd", err)
	}
	w.zw, w.tw = zw, tar.NewWriter(zw)
	return w, nil
}

// addFile copies the file at path into the archive as name, hashing it on the way.
func (w *archiveWriter) addFile(name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err // callers tell a missing file from a failure
	}
	defer func() { _ = f.Close() }() // only read from
	st, err := f.Stat()
	if err != nil {
		return haven.Internal("stat "+name, err)
	}
	return w.add(name, st.Size(), f)
}

func (w *archiveWriter) add(name string, size int64, r io.Reader) error {
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o600, ModTime: w.modTime, Format: tar.FormatUSTAR}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return haven.Internal("archive "+name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w.tw, h), r)
	if err != nil || n != size {
		return haven.Internal("archive "+name, errors.Join(err, fmt.Errorf("copied %d of %d bytes", n, size)))
	}
	w.entries = append(w.entries, manifestEntry{Name: name, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// finish writes the manifest, with every entry written so far, and closes every layer.
func (w *archiveWriter) finish(m *manifest) error {
	m.Entries = w.entries
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return haven.Internal("manifest", err)
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: manifestName, Size: int64(len(raw)), Mode: 0o600, ModTime: w.modTime, Format: tar.FormatUSTAR}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return haven.Internal("manifest", err)
	}
	if _, err := w.tw.Write(raw); err != nil {
		return haven.Internal("manifest", err)
	}
	err = errors.Join(w.tw.Close(), w.zw.Close())
	if err == nil {
		_, err = w.out.Write(trailer(w.sum.Sum(nil)))
	}
	if w.sealed != nil {
		err = errors.Join(err, w.sealed.Close())
	}
	return haven.Internal("finish archive", err)
}

// The compressed stream ends with a zstd skippable frame holding the sha256 of everything before
// it. zstd's own checksums cover the decompressed bytes only, and a few bits of a compressed
// stream can flip without changing them: the trailer makes any changed byte of the file show.
// (An encrypted file is authenticated by age as well.)
var trailerMagic = []byte{0x5e, 0x2a, 0x4d, 0x18} // skippable frame 0x184D2A5E, little-endian

const trailerSize = 8 + sha256.Size

func trailer(sum []byte) []byte {
	out := append(bytes.Clone(trailerMagic), sha256.Size, 0, 0, 0)
	return append(out, sum...)
}

// trailerHasher hashes what passes through it except the last trailerSize bytes, kept in tail.
type trailerHasher struct {
	h    hash.Hash
	tail []byte
}

func (t *trailerHasher) Write(p []byte) (int, error) {
	t.tail = append(t.tail, p...)
	if n := len(t.tail) - trailerSize; n > 0 {
		t.h.Write(t.tail[:n])
		t.tail = append(t.tail[:0], t.tail[n:]...)
	}
	return len(p), nil
}

// check compares the trailer with the hash of the stream before it.
func (t *trailerHasher) check() error {
	if len(t.tail) != trailerSize || !bytes.Equal(t.tail[:8], trailer(nil)) {
		return damaged("its checksum trailer is missing", nil)
	}
	if !bytes.Equal(t.tail[8:], t.h.Sum(nil)) {
		return damaged("the file's checksum does not match (a changed byte)", nil)
	}
	return nil
}

// ageMagic starts every binary age file.
const ageMagic = "age-encryption.org/v1\n"

// zstdMagic starts every zstd frame.
var zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}

// archiveStream is a backup with its layers undone: age (when the file is encrypted, with
// identities), then zstd. finish reads what is left and checks the trailer; close releases the
// decoder.
type archiveStream struct {
	io.Reader
	raw     io.Reader // the compressed stream, through the trailer's hasher
	trailer *trailerHasher
	close   func()
}

func openArchive(in io.Reader, identities []age.Identity) (*archiveStream, error) {
	br := bufio.NewReader(in)
	head, _ := br.Peek(len(ageMagic)) // a short file is told below as "not a backup"
	var r io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte(ageMagic)):
		if len(identities) == 0 {
			return nil, haven.Errorf(haven.EINVALID, "this backup is encrypted with age: give --age-identity FILE")
		}
		plain, err := age.Decrypt(br, identities...)
		if err != nil {
			return nil, &haven.Error{Code: haven.EUNAUTHORIZED, Message: "cannot decrypt the backup: " + err.Error(), Err: err}
		}
		r = plain
	case !bytes.HasPrefix(head, zstdMagic):
		return nil, haven.Errorf(haven.EINVALID, "not a Haven backup (neither age-encrypted nor zstd-compressed)")
	}
	th := &trailerHasher{h: sha256.New()}
	raw := io.TeeReader(r, th)
	zr, err := zstd.NewReader(raw, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(64<<20))
	if err != nil {
		return nil, damaged("cannot start decompressing", err)
	}
	return &archiveStream{Reader: zr, raw: raw, trailer: th, close: zr.Close}, nil
}

// finish reads the rest of the stream, which checks the last zstd frame and age's last chunk,
// and then the trailer.
func (s *archiveStream) finish() error {
	if _, err := io.Copy(io.Discard, s.Reader); err != nil {
		return damaged("the end of the file", err)
	}
	if _, err := io.Copy(io.Discard, s.raw); err != nil {
		return damaged("the end of the file", err)
	}
	return s.trailer.check()
}

// damaged is the error of a backup file that does not read back as it was written.
func damaged(what string, err error) error {
	msg := "the backup is damaged or incomplete: " + what
	if err != nil {
		msg += ": " + err.Error()
	}
	return &haven.Error{Code: haven.ECONFLICT, Message: msg, Err: err}
}

// entryHandler receives each entry's bytes (it may read part of them; the rest is read and
// hashed after it returns). It sees entries before the manifest vouches for them: whatever it
// writes must stay staged until readArchive returns without error.
type entryHandler func(name string, size int64, r io.Reader) error

// readArchive reads a whole backup, giving each entry to handle, and returns the manifest once
// every entry matched it: names allowed, no duplicates, sizes and sha256 as recorded, every
// recorded entry present, each file's hash equal to its name, and nothing after the manifest.
func readArchive(in io.Reader, identities []age.Identity, handle entryHandler) (*manifest, error) {
	stream, err := openArchive(in, identities)
	if err != nil {
		return nil, err
	}
	defer stream.close()
	tr := tar.NewReader(stream)
	seen := map[string]manifestEntry{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, damaged("it ends before its manifest", nil)
		}
		if err != nil {
			return nil, damaged("cannot read the archive", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, damaged(fmt.Sprintf("entry %q is not a regular file", hdr.Name), nil)
		}
		if hdr.Name == manifestName {
			return finishReading(tr, stream, seen)
		}
		entry, err := readEntry(tr, hdr, handle)
		if err != nil {
			return nil, err
		}
		if _, dup := seen[entry.Name]; dup {
			return nil, damaged(fmt.Sprintf("entry %q appears twice", entry.Name), nil)
		}
		seen[entry.Name] = entry
	}
}

// readEntry checks an entry's name, gives it to handle and hashes all of it.
func readEntry(tr *tar.Reader, hdr *tar.Header, handle entryHandler) (manifestEntry, error) {
	name := hdr.Name
	if name != sqliteEntry && name != pgdumpEntry && !fileEntry.MatchString(name) {
		return manifestEntry{}, damaged(fmt.Sprintf("unexpected entry %q", name), nil)
	}
	h := sha256.New()
	counted := &countingReader{r: io.TeeReader(tr, h)}
	if err := handle(name, hdr.Size, counted); err != nil {
		return manifestEntry{}, err
	}
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return manifestEntry{}, damaged("cannot read "+name, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if m := fileEntry.FindStringSubmatch(name); m != nil && (m[3] != sum || m[3][:2] != m[1] || m[3][2:4] != m[2]) {
		return manifestEntry{}, damaged(fmt.Sprintf("file %s does not hash to its name", name), nil)
	}
	return manifestEntry{Name: name, Size: counted.n, SHA256: sum}, nil
}

// finishReading parses the manifest, checks that nothing follows it, and compares the entries.
func finishReading(tr *tar.Reader, stream *archiveStream, seen map[string]manifestEntry) (*manifest, error) {
	raw, err := io.ReadAll(io.LimitReader(tr, 64<<20))
	if err != nil {
		return nil, damaged("cannot read the manifest", err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, damaged("unreadable manifest", err)
	}
	if m.Format != backupFormat || m.FormatVersion != backupFormatVersion {
		return nil, haven.Errorf(haven.EINVALID, "unknown backup format %q version %d (this haven reads %s version %d)",
			m.Format, m.FormatVersion, backupFormat, backupFormatVersion)
	}
	if _, err := tr.Next(); !errors.Is(err, io.EOF) {
		return nil, damaged("something follows the manifest", err)
	}
	if err := stream.finish(); err != nil {
		return nil, err
	}
	if err := compareEntries(&m, seen); err != nil {
		return nil, err
	}
	return &m, nil
}

func compareEntries(m *manifest, seen map[string]manifestEntry) error {
	want := map[string]string{string(sqldb.SQLite): sqliteEntry, string(sqldb.Postgres): pgdumpEntry}[m.Dialect]
	_, hasSQLite := seen[sqliteEntry]
	_, hasDump := seen[pgdumpEntry]
	if _, ok := seen[want]; !ok || hasSQLite && hasDump {
		return damaged(fmt.Sprintf("a %q backup must hold exactly one database, %s", m.Dialect, want), nil)
	}
	if len(m.Entries) != len(seen) {
		return damaged(fmt.Sprintf("the manifest lists %d entries, the archive holds %d", len(m.Entries), len(seen)), nil)
	}
	for _, want := range m.Entries {
		got, ok := seen[want.Name]
		switch {
		case !ok:
			return damaged(fmt.Sprintf("entry %s is missing", want.Name), nil)
		case got != want:
			return damaged(fmt.Sprintf("entry %s has size %d and sha256 %s, the manifest says %d and %s",
				want.Name, got.Size, short(got.SHA256), want.Size, short(want.SHA256)), nil)
		}
	}
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
