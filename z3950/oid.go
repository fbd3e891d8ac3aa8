package z3950

import (
	"strings"

	"github.com/bibgate/bibgate/internal/ber"
)

// Object identifiers used in Z39.50.
const (
	OIDBib1Attributes  ber.OID = "1.2.840.10003.3.1"          // Bib-1 attribute set
	OIDExp1Attributes  ber.OID = "1.2.840.10003.3.2"          // Exp-1 attribute set
	OIDBib1Diagnostics ber.OID = "1.2.840.10003.4.1"          // Bib-1 diagnostic set
	OIDDiag1           ber.OID = "1.2.840.10003.4.2"          // Diag-1 diagnostic format
	OIDUNIMARC         ber.OID = "1.2.840.10003.5.1"          // UNIMARC record syntax
	OIDUSMARC          ber.OID = "1.2.840.10003.5.10"         // USMARC / MARC 21 record syntax
	OIDSUTRS           ber.OID = "1.2.840.10003.5.101"        // SUTRS record syntax
	OIDOPAC            ber.OID = "1.2.840.10003.5.102"        // OPAC record syntax
	OIDXML             ber.OID = "1.2.840.10003.5.109.10"     // text/XML record syntax
	OIDApplicationXML  ber.OID = "1.2.840.10003.5.109.11"     // application/XML record syntax
	OIDJSON            ber.OID = "1.2.840.10003.5.1000.81.3"  // JSON (Index Data)
	OIDUserInfo1       ber.OID = "1.2.840.10003.10.3"         // UserInfo-1
	OIDCharsetNeg3     ber.OID = "1.2.840.10003.15.3"         // character set and language negotiation, v3
	OIDCharsetID       ber.OID = "1.2.840.10003.15.1000.81.1" // YAZ: charset named by string
	OIDCQL             ber.OID = "1.2.840.10003.16.2"         // type-104 query: CQL
	OIDUTF8            ber.OID = "1.0.10646.1.0.8"            // ISO 10646 encoding level: UTF-8
	OIDUCS2            ber.OID = "1.0.10646.1.0.2"
	OIDUCS4            ber.OID = "1.0.10646.1.0.4"
	OIDUTF16           ber.OID = "1.0.10646.1.0.5"
)

var syntaxNames = []struct {
	name string
	oid  ber.OID
}{
	{"usmarc", OIDUSMARC},
	{"marc21", OIDUSMARC},
	{"unimarc", OIDUNIMARC},
	{"sutrs", OIDSUTRS},
	{"opac", OIDOPAC},
	{"xml", OIDXML},
	{"text-xml", OIDXML},
	{"application-xml", OIDApplicationXML},
	{"json", OIDJSON},
}

// SyntaxByName maps a record-syntax name as YAZ tools spell it ("usmarc",
// "xml", "sutrs", "opac", ...) or a dotted OID to an OID.
func SyntaxByName(name string) (ber.OID, bool) {
	l := strings.ToLower(strings.TrimSpace(name))
	for _, s := range syntaxNames {
		if s.name == l {
			return s.oid, true
		}
	}
	if o := ber.OID(l); o.Valid() {
		return o, true
	}
	return "", false
}

// SyntaxName returns the usual short name of a record syntax, or the dotted
// OID when it has none.
func SyntaxName(o ber.OID) string {
	for _, s := range syntaxNames {
		if s.oid == o {
			return s.name
		}
	}
	return string(o)
}

// Protocol version bits (ProtocolVersion BIT STRING).
const (
	Version1 = 0
	Version2 = 1
	Version3 = 2
)

// Option bits (Options BIT STRING).
const (
	OptSearch               = 0
	OptPresent              = 1
	OptDelSet               = 2
	OptResourceReport       = 3
	OptTriggerResourceCtrl  = 4
	OptResourceCtrl         = 5
	OptAccessCtrl           = 6
	OptScan                 = 7
	OptSort                 = 8
	OptExtendedServices     = 10
	OptLevel1Segmentation   = 11
	OptLevel2Segmentation   = 12
	OptConcurrentOperations = 13
	OptNamedResultSets      = 14
	OptEncapsulation        = 15
	OptResultCount          = 16
	OptNegotiationModel     = 17
	OptDuplicateDetection   = 18
	OptQueryType104         = 19
	OptPQESCorrection       = 20
	OptStringSchema         = 21
)

// Close reasons.
const (
	CloseFinished          = 0
	CloseShutdown          = 1
	CloseSystemProblem     = 2
	CloseCostLimit         = 3
	CloseResources         = 4
	CloseSecurityViolation = 5
	CloseProtocolError     = 6
	CloseLackOfActivity    = 7
	ClosePeerAbort         = 8
	CloseUnspecified       = 9
)

// Present status values (also used in SearchResponse).
const (
	PresentSuccess  = 0
	PresentPartial1 = 1 // access control
	PresentPartial2 = 2 // message size
	PresentPartial3 = 3 // resource control
	PresentPartial4 = 4 // some records are surrogate diagnostics
	PresentFailure  = 5
)

// Result set status values in a failed SearchResponse.
const (
	ResultSetSubset   = 1
	ResultSetInterim  = 2
	ResultSetNone     = 3
	ResultSetEstimate = 4
)
