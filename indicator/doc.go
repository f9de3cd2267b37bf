// Package indicator finds observables — URLs, domains, IP addresses, email addresses, phone
// numbers and file hashes — in the text and HTML of messages and notes, the way a helpline
// handler reads them: defanged forms refanged, internationalised domains in Unicode and
// punycode, look-alikes of well-known brands and mixed-script names flagged, the helpline's
// allow-list and the requester's own contact details left out. It knows nothing of cases or
// storage; types are MISP attribute type names.
package indicator
