package z3950

import (
	"strings"

	"github.com/bibgate/bibgate/internal/ber"
)

// InfoKind selects the arm of an OtherInformation unit.
type InfoKind int

// OtherInformation kinds.
const (
	InfoCharacter InfoKind = iota + 2 // characterInfo [2]
	InfoBinary                        // binaryInfo [3]
	InfoExternal                      // externallyDefinedInfo [4]
	InfoOID                           // oid [5]
)

// OtherInfo is one unit of OtherInformation ([201]).
type OtherInfo struct {
	Category *ber.Node // InfoCategory as received (optional)
	Kind     InfoKind
	Text     string
	Binary   []byte
	External *ber.External
	OID      ber.OID
}

func otherInfoNode(tag int, units []OtherInfo) *ber.Node {
	if len(units) == 0 {
		return nil
	}
	n := ber.NewConstructed(ber.Context, tag)
	for _, u := range units {
		var info *ber.Node
		switch u.Kind {
		case InfoCharacter:
			info = ctxStr(2, u.Text)
		case InfoBinary:
			info = ber.NewPrimitive(ber.Context, 3, u.Binary)
		case InfoExternal:
			if u.External == nil {
				continue
			}
			info = u.External.Node(ber.Context, 4)
		case InfoOID:
			info = ber.NewOID(ber.Context, 5, u.OID)
		default:
			continue
		}
		var cat *ber.Node
		if u.Category != nil {
			cat = &ber.Node{Class: ber.Context, Tag: 1, Constructed: true, Children: u.Category.Children}
		}
		n.Children = append(n.Children, ber.NewSequence(cat, info))
	}
	return n
}

func (f *fields) otherInfo(n *ber.Node) []OtherInfo {
	var out []OtherInfo
	for _, seq := range n.Children {
		var u OtherInfo
		ok := false
		for _, c := range seq.Children {
			if c.Class != ber.Context {
				continue
			}
			switch c.Tag {
			case 1:
				u.Category = c
			case 2:
				u.Kind, u.Text, ok = InfoCharacter, f.str(c, "characterInfo"), true
			case 3:
				u.Kind, u.Binary, ok = InfoBinary, f.bytes(c, "binaryInfo"), true
			case 4:
				u.Kind, u.External, ok = InfoExternal, f.external(c, "externallyDefinedInfo"), true
			case 5:
				u.Kind, u.OID, ok = InfoOID, f.oid(c, "oid"), true
			}
		}
		if ok {
			out = append(out, u)
		}
	}
	return out
}

// Charset is one character set in a negotiation: an ISO 10646 encoding
// (by OID) or a private set named by string, as YAZ sends "ISO-8859-1".
type Charset struct {
	Encoding    ber.OID // iso10646 encodingLevel, e.g. OIDUTF8
	Collections ber.OID // iso10646 collections (optional)
	Name        string  // private externallySpecified name
	Other       *ber.Node
}

// IsUTF8 reports whether c designates UTF-8.
func (c Charset) IsUTF8() bool {
	if c.Encoding == OIDUTF8 {
		return true
	}
	n := strings.ToLower(c.Name)
	return n == "utf-8" || n == "utf8"
}

// CharsetProposal is the origin's proposal (CharSetandLanguageNegotiation
// proposal, charset negotiation version 3).
type CharsetProposal struct {
	Charsets                  []Charset
	Languages                 []string
	RecordsInSelectedCharsets *bool
}

// CharsetResponse is the target's answer. Selected nil means "none".
type CharsetResponse struct {
	Selected                  *Charset
	Language                  string
	RecordsInSelectedCharsets *bool
}

func (c Charset) node() *ber.Node {
	switch {
	case c.Encoding != "":
		return ber.NewConstructed(ber.Context, 2,
			optOID(1, c.Collections), ber.NewOID(ber.Context, 2, c.Encoding))
	case c.Name != "":
		ext := ber.NewOctetExternal(OIDCharsetID, []byte(c.Name))
		return explicit(3, ext.Node(ber.Context, 2))
	case c.Other != nil:
		return c.Other
	}
	return nil
}

func parseCharset(n *ber.Node) Charset {
	var c Charset
	switch {
	case isCtx(n, 2): // iso10646
		for _, k := range n.Children {
			if isCtx(k, 1) {
				c.Collections, _ = k.OID()
			}
			if isCtx(k, 2) {
				c.Encoding, _ = k.OID()
			}
		}
		if c.Encoding != "" {
			return c
		}
	case isCtx(n, 3) && len(n.Children) == 1: // private (explicit CHOICE)
		p := n.Children[0]
		if isCtx(p, 2) {
			if e, err := ber.ParseExternal(p); err == nil {
				switch e.Encoding {
				case ber.OctetAligned:
					c.Name = string(e.Octets)
				case ber.SingleASN1Type:
					c.Name, _ = e.Single.Text()
				}
				if c.Name != "" {
					return c
				}
			}
		}
	}
	return Charset{Other: n}
}

// Node encodes the proposal as a CharSetandLanguageNegotiation value.
func (p *CharsetProposal) Node() *ber.Node {
	sets := ber.NewConstructed(ber.Context, 1)
	for _, c := range p.Charsets {
		if n := c.node(); n != nil {
			sets.Children = append(sets.Children, n)
		}
	}
	var langs *ber.Node
	if len(p.Languages) > 0 {
		langs = ber.NewConstructed(ber.Context, 2)
		for _, l := range p.Languages {
			langs.Children = append(langs.Children, ber.NewString(ber.Universal, ber.TagGeneralString, l))
		}
	}
	return ber.NewConstructed(ber.Context, 1, sets, langs, optBool(3, p.RecordsInSelectedCharsets))
}

// Node encodes the response as a CharSetandLanguageNegotiation value.
func (r *CharsetResponse) Node() *ber.Node {
	var sel *ber.Node
	if r.Selected != nil {
		sel = explicit(1, r.Selected.node())
	} else {
		sel = explicit(1, ctxNull(4))
	}
	return ber.NewConstructed(ber.Context, 2, sel, optStr(2, r.Language), optBool(3, r.RecordsInSelectedCharsets))
}

// CharsetInfo wraps a negotiation value (a proposal's or response's Node)
// as the OtherInfo unit that carries it in an Init PDU.
func CharsetInfo(v *ber.Node) OtherInfo {
	return OtherInfo{Kind: InfoExternal, External: ber.NewSingleExternal(OIDCharsetNeg3, v)}
}

func findCharsetNeg(units []OtherInfo, tag int) *ber.Node {
	for _, u := range units {
		if u.Kind == InfoExternal && u.External != nil && u.External.DirectReference == OIDCharsetNeg3 &&
			u.External.Encoding == ber.SingleASN1Type && isCtx(u.External.Single, tag) {
			return u.External.Single
		}
	}
	return nil
}

// FindCharsetProposal returns the charset proposal in an InitializeRequest's
// otherInfo, if any.
func FindCharsetProposal(units []OtherInfo) (*CharsetProposal, bool) {
	n := findCharsetNeg(units, 1)
	if n == nil {
		return nil, false
	}
	p := &CharsetProposal{}
	for _, c := range n.Children {
		switch {
		case isCtx(c, 1):
			for _, s := range c.Children {
				p.Charsets = append(p.Charsets, parseCharset(s))
			}
		case isCtx(c, 2):
			for _, l := range c.Children {
				if s, err := l.Text(); err == nil {
					p.Languages = append(p.Languages, s)
				}
			}
		case isCtx(c, 3):
			if v, err := c.Bool(); err == nil {
				p.RecordsInSelectedCharsets = &v
			}
		}
	}
	return p, true
}

// FindCharsetResponse returns the charset response in an
// InitializeResponse's otherInfo, if any.
func FindCharsetResponse(units []OtherInfo) (*CharsetResponse, bool) {
	n := findCharsetNeg(units, 2)
	if n == nil {
		return nil, false
	}
	r := &CharsetResponse{}
	for _, c := range n.Children {
		switch {
		case isCtx(c, 1) && len(c.Children) == 1:
			if !isCtx(c.Children[0], 4) {
				cs := parseCharset(c.Children[0])
				r.Selected = &cs
			}
		case isCtx(c, 2):
			r.Language, _ = c.Text()
		case isCtx(c, 3):
			if v, err := c.Bool(); err == nil {
				r.RecordsInSelectedCharsets = &v
			}
		}
	}
	return r, true
}
