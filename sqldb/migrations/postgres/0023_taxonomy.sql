-- The taxonomy administered: a label per language (the English one from the old name), and
-- retirement (kept on the cases that have it, offered to no new case).
ALTER TABLE categories ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
ALTER TABLE categories ADD COLUMN retired_at BIGINT;
UPDATE categories SET labels = json_build_object('en', name)::text;
