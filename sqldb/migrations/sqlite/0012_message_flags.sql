-- What the parser saw on an inbound message (JSON list): auto-reply, unparsed, charset-fallback,
-- encrypted, decrypted, signed, signature-valid, signature-invalid.
ALTER TABLE messages ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
