// Package email carries ISO 10161-1 (ISO ILL) APDUs in Internet mail as
// RFC 2503 describes, and moves such mail over SMTP and IMAP.
//
// Compose writes one APDU per message: a multipart/mixed message with a
// text/plain summary for the partner's staff and the APDU as
// application/iso-10161-ill-1; transfer-encoding=iso-8825-ber, base64.
// Parse finds the APDU parts of a received message, whether the part is the
// whole body or inside a multipart, and decodes them. Routing is the
// caller's business and must use the ids inside the APDU, never the Subject;
// Parse reports From only for an allow-list.
//
// Sender submits composed messages over SMTP (STARTTLS when offered, AUTH
// PLAIN when configured). Poller reads a mailbox over IMAP and hands each
// message to a callback; a message is moved to the processed folder only
// when the callback returns nil, so a callback that commits the transaction
// before returning loses nothing if the process dies. A message may be
// handed over again (the move failed, the process died between commit and
// move), so the callback deduplicates on Part.Key.
//
// The package depends on the ill codec only, never on the circulation core.
package email
