// Package ill is the ISO 10161-1 (ISO ILL) codec: the 20 interlibrary-loan
// APDUs of protocol versions 1 and 2 as Go values, read from and written to
// BER. It knows nothing of the circulation core or of transports.
//
// The types follow the ASN.1 module ISO-10161-ILL-1 (the copy in YAZ,
// src/ill9702.asn) field for field, described declaratively with struct
// tags for internal/ber's Schema. The module's encoding traps are handled
// there and in the tags:
//
//   - every APDU is [APPLICATION n] wrapped explicitly around a SEQUENCE;
//   - IMPLICIT and explicit tags follow the module, including the unmarked
//     (hence explicit) fields of helper types such as Will-Supply-Results and
//     Units-Per-Medium-Type, and every ILL-String, CHOICE, EXTERNAL and ANY;
//   - high tag numbers and indefinite lengths at any level are read, and
//     definite lengths written;
//   - an absent DEFAULT field decodes to its default; defaults are written
//     (as YAZ does) unless EncodeOptions.OmitDefaults;
//   - Overdue's extensions [49] are, unlike every other APDU's, not
//     IMPLICIT; they are written explicitly as YAZ does and read either way
//     (so are every other APDU's, the other way round);
//   - ILL-String is written as GeneralString carrying UTF-8 and read from
//     GeneralString or EDIFACTString (VisibleString); bytes that are not
//     UTF-8 are read as ISO-8859-1.
//
// Decode reports undecodable input as a *DecodeError carrying the
// Status-Or-Error-Report general-problem code a server answers with.
package ill
