// Package conformance replays protocol transcripts against a server and
// records new ones: the conformance suite of bibgate. `go test
// ./conformance` replays every transcript in testdata/ against an
// in-process bibgate over each store backend; `go test ./conformance
// -update` rewrites the expected responses from what the server answered
// (review the diff before committing it). `bibgate record` puts [Record]
// between a real client and any server, so real sessions become tests.
//
// # Transcript format
//
// A transcript is a UTF-8 text file, one session per file
// (testdata/sip2/*.session). A header of comment lines comes first:
//
//	# protocol: sip2
//	# clock: 2026-11-02T10:00:00+02:00
//	# fixtures: demo
//	# account: demo
//	# Free comments say what the session shows.
//
// then the messages, in order:
//
//	> 9300CNdemo|COdemo|CPILU|AY0AZF671
//	< 941AY0AZFDFD
//
// "> " is what the client sends, verbatim (the CR terminator is implied);
// "< " is what the server must answer. A request may be followed by no
// expected line (nothing is read) or by several. In a message, a backslash
// is written "\\", and control bytes, bytes that are not UTF-8 and a final
// blank are written "\xHH".
//
// Header keys: protocol (sip2), clock (RFC 3339; the server's clock for the
// whole session), fixtures (the data loaded first; "demo" is bibgate's
// demo consortium, loaded fresh for every transcript), account (whose
// secrets replace "****"); recorded, upstream, client and secrets are
// informative. known-bug marks a transcript whose expected lines say what
// the reference requires while the server is known to answer otherwise:
// the suite requires it to fail (and fails once it passes, so that the
// header is removed with the fix), and -update leaves it alone. Directives
// may appear between messages:
//
//	# advance: 720h      move the server's clock forward (Go duration); the
//	                     background jobs (reminders, hold expiry) do not run
//	# expect: closed     the server must have closed the connection here
//
// A comment shaped "# key: value" with a lower-case key and a one-word
// value must use one of these keys (a misspelt directive fails); any other
// comment is free text.
//
// Header keys also: protocol ill (ISO 10161). One more directive, for ILL:
//
//	# staff: ship REQLIB/GQ1/TQ1   a staff action on the transaction that
//	                               tuple (initial-requester/group/
//	                               transaction) names, in the responder role
//
// # ILL transcripts
//
// testdata/ill/*.session are ISO 10161 sessions: "> " and "< " lines hold
// the hex of the BER, consecutive lines of one direction one stream cut
// into APDUs by their lengths, and "#| " comments under each APDU render it
// ([RenderILL]): a reading aid, not compared. [ReplayILL] compares every
// answer byte for byte after [MaskILL] on both sides: the "this" date and
// time of the service-date-time become YYYYMMDD and HHMMSS; nothing else
// varies (the clock is fixed, a responder generates no identifier on the
// wire). After the last exchange nothing more may arrive. `bibgate record
// --protocol ill` records ILL sessions from a live peer.
//
// # Masking rules (SIP2)
//
// Fields that legitimately vary are masked by rule, in one place
// ([MaskSIP2]), never by hand: the 18-character transaction date of every
// response (the date/time sync of 98) becomes YYYYMMDDZZZZHHMMSS, and an AZ
// checksum is recomputed over the masked bytes. The server's own checksum
// is verified on the unmasked bytes first. AY is not masked: a response
// must echo its request's sequence number. Due dates, hold dates and
// amounts are not masked: the clock is fixed, so they are exact.
//
// Secrets: the recorder writes the values of CO (93 password), AC
// (terminal password) and AD (patron PIN) as "****", recomputing AZ when
// the original checksum was right ([MaskSIP2Secrets]). On replay "****" is
// replaced by the account's secrets — for the demo account CO and AC
// "demo", AD the demo PIN "1234" — and AZ is recomputed again if it was
// right over the masked text ([SubstituteSIP2Secrets]). Hand-written
// transcripts may spell the public demo secrets out, and must when a
// session is about a wrong one.
//
// On a mismatch, [DiffSIP2] reads both messages with the sip2 codec and
// names each differing field with its wire code ("AH DueDate: want ...
// got ...").
package conformance
