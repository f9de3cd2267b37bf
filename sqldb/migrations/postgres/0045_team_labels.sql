-- A team's display names per language (issue 16): a JSON object of language → label, shown to
-- each reader in their language, falling back to English, then to the team's name (its slug).
ALTER TABLE teams ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
