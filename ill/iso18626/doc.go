// Package iso18626 is the ISO 18626 (interlibrary loan over XML) codec: the
// request, supplyingAgencyMessage and requestingAgencyMessage messages and
// their confirmations, in the 2017 (XSD v1.2) and 2021 editions, as one Go
// model. It knows nothing of the circulation core or of transports.
//
// Parse reads leniently, as the peers in the field need: namespace or none,
// wrapper or bare message, qualified or unqualified version attribute,
// elements in any order, unknown elements kept, codes of any case, dates in
// several forms, input size and nesting bounded. What cannot be processed
// comes back as an *Error carrying the errorType a confirmation answers
// with, beside what could be read; Confirm builds that confirmation.
//
// Marshal writes strictly for one edition: the element order of its XSD,
// the namespace with a declared ill: prefix, a qualified ill:version, only
// codes from its closed lists, nothing the edition does not have; so what it
// writes validates against the edition's schema (the tests check every
// message with xmllint). Writer.KeepUnknown passes unknown elements on.
//
// Peers bend the standard each their own way; a Dialect holds one peer's
// shim (ReShare, OCLC, Alma), applied after reading and before writing.
package iso18626
