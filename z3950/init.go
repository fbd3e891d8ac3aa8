package z3950

import (
	"strings"

	"github.com/bibgate/bibgate/internal/ber"
)

// AuthKind selects the arm of IdAuthentication.
type AuthKind int

// IdAuthentication kinds.
const (
	AuthOpen      AuthKind = iota // VisibleString "user/password"
	AuthIDPass                    // SEQUENCE { groupId, userId, password }
	AuthAnonymous                 // NULL
	AuthOther                     // EXTERNAL
)

// IDAuthentication is the idAuthentication of an InitializeRequest.
type IDAuthentication struct {
	Kind     AuthKind
	Open     string
	GroupID  string
	UserID   string
	Password string
	Other    *ber.External
}

// Credentials returns the user and password whichever form carried them.
// An open string is split at its first '/'.
func (a *IDAuthentication) Credentials() (user, group, password string) {
	if a == nil {
		return "", "", ""
	}
	switch a.Kind {
	case AuthOpen:
		user, password, _ = strings.Cut(a.Open, "/")
		return user, "", password
	case AuthIDPass:
		return a.UserID, a.GroupID, a.Password
	}
	return "", "", ""
}

func (a *IDAuthentication) node() *ber.Node {
	if a == nil {
		return nil
	}
	var v *ber.Node
	switch a.Kind {
	case AuthOpen:
		v = ber.NewString(ber.Universal, ber.TagVisibleString, a.Open)
	case AuthIDPass:
		v = ber.NewSequence(optStr(0, a.GroupID), optStr(1, a.UserID), optStr(2, a.Password))
	case AuthAnonymous:
		v = ber.NewNull(ber.Universal, ber.TagNull)
	case AuthOther:
		if a.Other == nil {
			return nil
		}
		v = a.Other.Node(ber.Universal, ber.TagExternal)
	}
	return explicit(7, v)
}

func (f *fields) auth(n *ber.Node) *IDAuthentication {
	v := f.only(n, "idAuthentication")
	if v == nil {
		return nil
	}
	a := &IDAuthentication{}
	switch {
	case v.Class == ber.Universal && v.Tag == ber.TagSequence && v.Constructed:
		a.Kind = AuthIDPass
		for _, c := range v.Children {
			if !plainString(c) {
				f.fail("idAuthentication idPass: a field is not a string")
				return nil
			}
			switch {
			case isCtx(c, 0):
				a.GroupID = f.str(c, "groupId")
			case isCtx(c, 1):
				a.UserID = f.str(c, "userId")
			case isCtx(c, 2):
				a.Password = f.str(c, "password")
			}
		}
	case v.Class == ber.Universal && v.Tag == ber.TagNull:
		a.Kind = AuthAnonymous
	case v.Class == ber.Universal && v.Tag == ber.TagExternal:
		a.Kind = AuthOther
		a.Other = f.external(v, "idAuthentication other")
	case v.Class == ber.Universal && isStringTag(v.Tag) && plainString(v):
		// open: VisibleString, but any string type is accepted
		a.Kind = AuthOpen
		a.Open = f.str(v, "idAuthentication open")
	default:
		// A stray wrapper or any other type is not the open form: reading
		// its bytes as "user/password" would run together what it wraps
		// (the user and the password) and log them as a user name.
		f.fail("idAuthentication: not open, idPass, anonymous or other")
		return nil
	}
	return a
}

func isStringTag(tag int) bool {
	switch tag {
	case ber.TagOctetString, ber.TagUTF8String, ber.TagPrintableString, ber.TagIA5String, ber.TagGraphicString,
		ber.TagVisibleString, ber.TagGeneralString:
		return true
	}
	return false
}

// plainString reports a string value: primitive, or constructed from
// OCTET STRING segments only (X.690 8.23.6), never a wrapper of other
// values.
func plainString(n *ber.Node) bool {
	if !n.Constructed {
		return true
	}
	for _, c := range n.Children {
		if c.Class != ber.Universal || c.Tag != ber.TagOctetString || !plainString(c) {
			return false
		}
	}
	return true
}

// InitializeRequest is the initRequest APDU [20].
type InitializeRequest struct {
	ReferenceID           []byte
	ProtocolVersion       ber.BitString
	Options               ber.BitString
	PreferredMessageSize  int
	ExceptionalRecordSize int
	Auth                  *IDAuthentication
	ImplementationID      string
	ImplementationName    string
	ImplementationVersion string
	UserInformationField  *ber.External
	OtherInfo             []OtherInfo
}

func (p *InitializeRequest) Tag() int      { return TagInitRequest }
func (p *InitializeRequest) RefID() []byte { return p.ReferenceID }

func (p *InitializeRequest) node(bool) *ber.Node {
	var uif *ber.Node
	if p.UserInformationField != nil {
		uif = explicit(11, p.UserInformationField.Node(ber.Universal, ber.TagExternal))
	}
	return ber.NewConstructed(ber.Context, TagInitRequest,
		optOctets(2, p.ReferenceID),
		ber.NewBitString(ber.Context, 3, p.ProtocolVersion),
		ber.NewBitString(ber.Context, 4, p.Options),
		ctxInt(5, p.PreferredMessageSize),
		ctxInt(6, p.ExceptionalRecordSize),
		p.Auth.node(),
		optStr(110, p.ImplementationID),
		optStr(111, p.ImplementationName),
		optStr(112, p.ImplementationVersion),
		uif,
		otherInfoNode(201, p.OtherInfo))
}

func decodeInitRequest(n *ber.Node) (*InitializeRequest, error) {
	p := &InitializeRequest{}
	var f fields
	var seenVersion, seenOptions bool
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 3:
			p.ProtocolVersion, seenVersion = f.bits(c, "protocolVersion"), true
		case 4:
			p.Options, seenOptions = f.bits(c, "options"), true
		case 5:
			p.PreferredMessageSize = f.int(c, "preferredMessageSize")
		case 6:
			p.ExceptionalRecordSize = f.int(c, "exceptionalRecordSize")
		case 7:
			p.Auth = f.auth(c)
		case 110:
			p.ImplementationID = f.str(c, "implementationId")
		case 111:
			p.ImplementationName = f.str(c, "implementationName")
		case 112:
			p.ImplementationVersion = f.str(c, "implementationVersion")
		case 11:
			if e := f.only(c, "userInformationField"); e != nil {
				p.UserInformationField = f.external(e, "userInformationField")
			}
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	if !seenVersion || !seenOptions {
		f.fail("protocolVersion and options are mandatory")
	}
	return p, f.err
}

// InitializeResponse is the initResponse APDU [21].
type InitializeResponse struct {
	ReferenceID           []byte
	ProtocolVersion       ber.BitString
	Options               ber.BitString
	PreferredMessageSize  int
	ExceptionalRecordSize int
	Result                bool
	ImplementationID      string
	ImplementationName    string
	ImplementationVersion string
	UserInformationField  *ber.External
	OtherInfo             []OtherInfo
}

func (p *InitializeResponse) Tag() int      { return TagInitResponse }
func (p *InitializeResponse) RefID() []byte { return p.ReferenceID }

func (p *InitializeResponse) node(bool) *ber.Node {
	var uif *ber.Node
	if p.UserInformationField != nil {
		uif = explicit(11, p.UserInformationField.Node(ber.Universal, ber.TagExternal))
	}
	return ber.NewConstructed(ber.Context, TagInitResponse,
		optOctets(2, p.ReferenceID),
		ber.NewBitString(ber.Context, 3, p.ProtocolVersion),
		ber.NewBitString(ber.Context, 4, p.Options),
		ctxInt(5, p.PreferredMessageSize),
		ctxInt(6, p.ExceptionalRecordSize),
		ctxBool(12, p.Result),
		optStr(110, p.ImplementationID),
		optStr(111, p.ImplementationName),
		optStr(112, p.ImplementationVersion),
		uif,
		otherInfoNode(201, p.OtherInfo))
}

func decodeInitResponse(n *ber.Node) (*InitializeResponse, error) {
	p := &InitializeResponse{}
	var f fields
	seenResult := false
	for _, c := range n.Children {
		if c.Class != ber.Context {
			continue
		}
		switch c.Tag {
		case 2:
			p.ReferenceID = f.bytes(c, "referenceId")
		case 3:
			p.ProtocolVersion = f.bits(c, "protocolVersion")
		case 4:
			p.Options = f.bits(c, "options")
		case 5:
			p.PreferredMessageSize = f.int(c, "preferredMessageSize")
		case 6:
			p.ExceptionalRecordSize = f.int(c, "exceptionalRecordSize")
		case 12:
			p.Result, seenResult = f.bool(c, "result"), true
		case 110:
			p.ImplementationID = f.str(c, "implementationId")
		case 111:
			p.ImplementationName = f.str(c, "implementationName")
		case 112:
			p.ImplementationVersion = f.str(c, "implementationVersion")
		case 11:
			if e := f.only(c, "userInformationField"); e != nil {
				p.UserInformationField = f.external(e, "userInformationField")
			}
		case 201:
			p.OtherInfo = f.otherInfo(c)
		}
	}
	if !seenResult {
		f.fail("result is mandatory")
	}
	return p, f.err
}

// InitRefusal builds the userInformationField that explains a refused Init:
// UserInfo-1 holding OtherInformation with a Diag-1 diagnostic, the form YAZ
// clients print.
func InitRefusal(d *Diagnostic, version int) *ber.External {
	diag := ber.NewSingleExternal(OIDDiag1, d.diag1Node(version == 2))
	other := otherInfoNode(201, []OtherInfo{{Kind: InfoExternal, External: diag}})
	return ber.NewSingleExternal(OIDUserInfo1, other)
}

// InitRefusalDiagnostic extracts the diagnostic from an InitRefusal
// userInformationField.
func InitRefusalDiagnostic(e *ber.External) (*Diagnostic, bool) {
	if e == nil || e.DirectReference != OIDUserInfo1 || e.Encoding != ber.SingleASN1Type || e.Single == nil {
		return nil, false
	}
	var f fields
	for _, u := range f.otherInfo(e.Single) {
		if u.Kind == InfoExternal && u.External != nil && u.External.DirectReference == OIDDiag1 &&
			u.External.Encoding == ber.SingleASN1Type {
			if d := diag1First(u.External.Single); d != nil {
				return d, true
			}
		}
	}
	return nil, false
}
