-- Second factors. The TOTP secrets (active and being enrolled) are encrypted under the user's
-- totp_key, a data key sealed by the master key; recovery codes are kept only as hashes.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_key BYTEA;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;
CREATE TABLE recovery_codes (
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	hash    TEXT NOT NULL,
	used_at BIGINT,
	PRIMARY KEY (user_id, hash)
);
-- A right password waiting for its second factor: one attempt, five minutes.
CREATE TABLE login_challenges (
	token_hash TEXT PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	expires_at BIGINT NOT NULL
);
-- Instance-wide settings changed by admins (e.g. two_factor_required).
CREATE TABLE settings (
	name       TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at BIGINT NOT NULL
);
