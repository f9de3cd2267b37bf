// Package email turns raw RFC 5322 messages, as received by a helpline, into a
// structured, safe-to-display form.
//
// The guiding rule is that nothing may be lost: Parse never returns an error
// and never panics. When part of a message cannot be understood it returns
// what it could read and sets flags (Unparsed, CharsetFallback) so the caller
// keeps the raw bytes as the evidence of record. HTML is always sanitised
// before it leaves the package, remote content is never referenced, and
// attachments carry a suspicion verdict so handlers are warned before opening
// them.
package email
