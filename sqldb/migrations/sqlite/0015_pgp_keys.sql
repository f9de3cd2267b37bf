-- The helpline's own OpenPGP key pairs. The armored private key is stored unlocked but encrypted
-- under the row's data key (sealed by the master key): the master key protects it at rest.
CREATE TABLE pgp_keys (
	id          INTEGER PRIMARY KEY,
	fingerprint TEXT NOT NULL UNIQUE,
	private_key TEXT NOT NULL,
	data_key    BLOB,
	created_at  BIGINT NOT NULL
);
