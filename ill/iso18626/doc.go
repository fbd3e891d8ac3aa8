// Package iso18626 is the ISO 18626 (interlibrary loan over XML) codec: the
// request, supplyingAgencyMessage and requestingAgencyMessage messages and
// their confirmations, in the 2017 (XSD v1.2) and 2021 editions, as one Go
// model. It knows nothing of the circulation core or of transports.
//
// Parse reads leniently, as the peers in the field need: namespace or none,
// wrapper or bare message, qualified or unqualified version attribute,
// elements in any order, unknown elements kept, codes of any case, dates in
// several forms. Problems come back as an *Error carrying the errorType a
// confirmation answers with. Marshal writes strictly for one edition:
// element order of its XSD, the namespace with a declared ill: prefix, a
// qualified ill:version, and only codes from its closed lists, so what it
// writes validates against the edition's schema.
//
// Peers bend the standard each their own way; a Dialect holds one peer's
// shim (ReShare, OCLC, Alma), applied after reading and before writing.
package iso18626
