-- Events are committed outside the chain (seq NULL) and chained shortly after by the sealer
-- (sqldb/auditseal.go), so writers no longer queue for the chain at commit. seq is nullable and
-- the partial index events_unsealed (id WHERE seq IS NULL), which the sealer reads every pass,
-- exists since 0003: nothing else changes. Until an event is sealed, its hash column holds its
-- pending seal (an HMAC of its fields), which the sealer and haven audit verify check.
COMMENT ON COLUMN events.hash IS 'chain link (HMAC); while seq is NULL, the pending seal checked before chaining';
