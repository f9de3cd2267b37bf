package sqldb

import "context"

// WriteEventsNow writes the events recorded so far in tx, as commit would, without committing:
// a test holds the transaction open to commit its events after later ones were sealed.
func (tx *Tx) WriteEventsNow(ctx context.Context) error { return tx.sealEvents(ctx) }
