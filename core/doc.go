// Package core is bibgate's circulation core: the consortium's libraries,
// patrons, items, loans, holds, fees and notices, and the Service that every
// protocol adapter calls. It enforces the rules of core/policy inside store
// transactions, so that a decision and its write are one atomic step that is
// re-evaluated if the store retries. It does no network I/O and knows no
// wire format.
//
// Interlibrary loan (ill*.go) runs on the same operations: one transaction
// per request and side, moved by the ISO 10161 state table of
// core/illstate, lending our copies to partners' institutional patrons and
// receiving theirs as temporary copies; messages to partners go through an
// ILL outbox written with the change.
//
// Errors are *Error values carrying a stable Reason; match them with
// errors.Is against the Err* sentinels or read the reason with ReasonOf.
package core
