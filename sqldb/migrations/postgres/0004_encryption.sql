-- Encryption at rest (envelope encryption, package keyring). keyring_state records which master key
-- this database belongs to, so a wrong key is refused at start, and holds the blind-index key
-- sealed by it. Each encrypted record keeps its own data key, sealed by the master key.
CREATE TABLE keyring_state (
	id               INTEGER PRIMARY KEY CHECK (id = 1),
	master_id        TEXT NOT NULL,
	sealed_index_key BYTEA NOT NULL
);
ALTER TABLE requesters ADD COLUMN data_key BYTEA;
ALTER TABLE notes ADD COLUMN data_key BYTEA;
ALTER TABLE messages ADD COLUMN data_key BYTEA;
ALTER TABLE reports ADD COLUMN data_key BYTEA;
-- requester_contacts.normalized now holds the blind index (a keyed hash of the normalised value)
-- and requester_contacts.value the encrypted value: contacts are never stored in plaintext.
