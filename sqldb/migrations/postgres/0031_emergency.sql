-- Emergencies (issue 13): a case opened in an emergency category pages on-call at once.
ALTER TABLE categories ADD COLUMN emergency BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE categories SET emergency = TRUE WHERE slug IN ('threats', 'self-harm', 'child-safety');
