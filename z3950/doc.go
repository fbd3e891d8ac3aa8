// Package z3950 encodes and decodes Z39.50 (ANSI/NISO Z39.50-2003, version
// 2 and 3) protocol data units: Init, Search (Type-1 RPN and type-104 CQL
// queries), Present with database records as EXTERNAL (ISO 2709, XML, SUTRS,
// OPAC), Scan, Sort, Delete result set and Close, plus Bib-1 diagnostics,
// UTF-8 character-set negotiation and the Prefix Query Format (PQF) used by
// YAZ tools.
//
// It is a codec only: it knows nothing of what a query means or where
// records come from. The wire form is BER, handled by internal/ber.
package z3950
