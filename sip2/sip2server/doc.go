// Package sip2server is bibgate's SIP2 server: it runs the login phase,
// keeps per-account wire settings (charset, terminator, delimiter, error
// detection), answers 97 and duplicate retransmissions from its own memory,
// answers malformed input with 96, and hands every other request to a
// Session as a typed sip2 message. A Session is what an adapter implements,
// either over bibgate's circulation core or by forwarding to another ACS.
//
// Connections are served by internal/netsrv (TLS, connection cap, panic
// recovery, lame-duck Shutdown). Every request gets one log line (account,
// message, outcome, latency; AC, AD and CO never logged; the patron
// identifier only at debug level) and is counted in Prometheus metrics by
// message type and outcome.
package sip2server
