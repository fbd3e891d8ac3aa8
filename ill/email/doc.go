// Package email carries ISO 10161-1 (ISO ILL) APDUs in Internet mail as
// RFC 2503 describes, and moves such mail over SMTP and IMAP.
//
// Compose writes one APDU per message: a multipart/mixed message with a
// text/plain summary for the partner's staff (transaction id, APDU type,
// the two libraries, the title of a request, the notes) and the APDU as
// application/iso-10161-ill-1; transfer-encoding=iso-8825-ber, base64,
// under a readable Subject. Parse finds the APDU parts of a received
// message, whether the part is the whole body or inside a multipart, also
// under the x- type or without the parameter, and decodes them within
// Limits. Routing is the caller's business and must use the ids inside the
// APDU, never the Subject; Parse reports From only for an allow-list.
//
// Sender submits composed messages over SMTP: STARTTLS whenever the server
// offers it (or required, or implicit TLS), AUTH PLAIN when configured and
// never in the clear except to loopback. Poller reads a mailbox over IMAP
// and hands each message to a Handler; the message is moved to the
// processed folder (MOVE, or COPY, STORE \Deleted and EXPUNGE where the
// server lacks MOVE) only when the Handler returns nil, and stays in the
// mailbox for the next poll when it fails. Mail from senders not on the
// allow-list, and mail without an APDU (a partner's staff writing to the
// ILL address), goes to the rejected folder for a person to look at; it is
// never handed over and never deleted. Run polls on a timer and, where the
// server offers IDLE, as soon as new mail arrives.
//
// # Using it for ILL transactions
//
// Outbound, an engine takes the APDU from its outbox after the commit,
// composes it with a Message-ID derived from the outbox entry (say the
// transaction and event number, "ill.T000000000001.7@lib.example"), sends
// it and marks the entry sent; after a crash it composes and sends the
// entry again. The dedupe key depends on the Message-ID and the BER only,
// not on Date or the MIME boundary, so the resent message has the key of
// the first as long as the APDU encodes the same.
//
// Inbound, the Handler looks up each Part.Key: a key it has stored is a
// duplicate (the same message fetched again because a move failed or the
// process died, or resent after a crash) and is skipped; otherwise it
// routes the APDU by its transaction id and system ids, commits the
// transaction with the key, and returns nil. So neither side loses or
// doubles an APDU. A Part with an *ill.DecodeError can be answered with a
// Status-Or-Error-Report carrying its Problem when its Header names the
// transaction.
//
// The From allow-list keeps stray mail out; From is not authenticated, so
// forged mail is for the receiving mail system's checks (SPF, DKIM) to stop.
//
// The package depends on the ill codec only, never on the circulation core.
package email
