-- A requester who must only ever receive encrypted email (their PGP key is then required).
ALTER TABLE requesters ADD COLUMN encrypted_only BOOLEAN NOT NULL DEFAULT FALSE;
