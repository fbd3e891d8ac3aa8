package conformance

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/bibgate/bibgate/ill"
	"github.com/bibgate/bibgate/internal/ber"
)

// illLimits bound what the ILL replay and recorder read, as the server's
// defaults do.
var illLimits = ber.Limits{MaxSize: 1 << 20, MaxDepth: 64}

// RenderILL renders an encoded ISO 10161 APDU for a transcript, one line
// per value, indented by depth, with the fields named after the ill
// codec's types in the standard's style ("transaction-id {",
// "transaction-qualifier \"TQ0001\""). Bytes the codec cannot read are
// rendered as their BER tree after a line saying why. It is a reading
// aid: the replay compares the bytes.
func RenderILL(b []byte) []string {
	a, err := ill.Decode(b)
	if err != nil {
		out := []string{"(not an ILL APDU: " + err.Error() + ")"}
		n, perr := ber.Unmarshal(b, illLimits)
		if perr != nil {
			return out
		}
		return append(out, renderBER(n, 0)...)
	}
	r := &renderer{}
	r.line(0, fmt.Sprintf("%s [APPLICATION %d] {", a.Type(), int(a.Type())))
	r.fields(reflect.ValueOf(a).Elem(), 1)
	r.line(0, "}")
	return r.out
}

type renderer struct{ out []string }

func (r *renderer) line(depth int, s string) {
	r.out = append(r.out, strings.Repeat("  ", depth)+s)
}

var (
	choiceType = reflect.TypeOf(ber.Choice{})
	nodeType   = reflect.TypeOf(ber.Node{})
	nullType   = reflect.TypeOf(ber.Null{})
)

// fields renders the exported fields of a struct; an embedded struct (the
// header) is rendered in place.
func (r *renderer) fields(v reflect.Value, depth int) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() || f.Type == choiceType {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			r.fields(v.Field(i), depth)
			continue
		}
		r.value(fieldName(f.Name), v.Field(i), depth)
	}
}

// value renders one named value; absent optional values, empty lists and
// false flags are left out.
func (r *renderer) value(name string, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Type().Elem() == nodeType {
			r.line(depth, name+" "+v.Interface().(*ber.Node).String())
			return
		}
		r.value(name, v.Elem(), depth)
	case reflect.Struct:
		if v.Type() == nullType {
			r.line(depth, name+" NULL")
			return
		}
		r.line(depth, name+" {")
		r.fields(v, depth+1)
		r.line(depth, "}")
	case reflect.Slice:
		if v.Len() == 0 {
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			r.line(depth, name+" '"+strings.ToUpper(hex.EncodeToString(v.Bytes()))+"'H")
			return
		}
		r.line(depth, name+" {")
		for i := 0; i < v.Len(); i++ {
			r.value("-", v.Index(i), depth+1)
		}
		r.line(depth, "}")
	case reflect.Bool:
		if v.Bool() {
			r.line(depth, name+" TRUE")
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s := fmt.Sprintf("%s %d", name, v.Int())
		if st, ok := v.Interface().(fmt.Stringer); ok && v.Type().PkgPath() != "" {
			if text := st.String(); text != fmt.Sprint(v.Int()) {
				s += " (" + text + ")"
			}
		}
		r.line(depth, s)
	case reflect.String:
		r.line(depth, fmt.Sprintf("%s %q", name, v.String()))
	default:
		r.line(depth, fmt.Sprintf("%s %v", name, v.Interface()))
	}
}

// fieldNames are the standard's names where the codec's differ by more
// than spelling.
var fieldNames = map[string]string{
	"Version":        "protocol-version-num",
	"GroupQualifier": "transaction-group-qualifier",
	"Qualifier":      "transaction-qualifier",
	"SubQualifier":   "transaction-subtransaction-qualifier",
	"ServiceTypes":   "ill-service-type",
	"This":           "this",
}

// fieldName spells a Go field name the ASN.1 way: "TransactionID" is
// "transaction-id".
func fieldName(goName string) string {
	if n, ok := fieldNames[goName]; ok {
		return n
	}
	rs := []rune(goName)
	var b strings.Builder
	for i, c := range rs {
		if unicode.IsUpper(c) && i > 0 {
			prevLower := unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if prevLower || (unicode.IsUpper(rs[i-1]) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// renderBER renders a BER tree one value a line.
func renderBER(n *ber.Node, depth int) []string {
	ind := strings.Repeat("  ", depth)
	label := fmt.Sprintf("[%d]", n.Tag)
	if n.Class != ber.Context {
		label = fmt.Sprintf("[%s %d]", n.Class, n.Tag)
	}
	if !n.Constructed {
		return []string{ind + label + " " + strings.TrimPrefix(n.String(), label)}
	}
	out := []string{ind + label + " {"}
	for _, c := range n.Children {
		out = append(out, renderBER(c, depth+1)...)
	}
	return append(out, ind+"}")
}

// MaskILL applies the ILL masking rule to an APDU the server sent: the
// "this" date and time of its service-date-time, when the server invoked
// the service, become "YYYYMMDD" and "HHMMSS". Nothing else varies: the
// clock is fixed for a replay (dates due, dates of the history are
// exact), and a responder generates no identifier on the wire (the
// transaction-id is the requester's). Bytes that are not a canonical
// (definite, minimal) BER encoding of an APDU with that header field are
// returned unchanged, so they are compared as they are.
func MaskILL(b []byte) []byte {
	n, err := ber.Unmarshal(b, illLimits)
	if err != nil || n.Class != ber.Application || !n.Constructed || len(n.Children) != 1 {
		return b
	}
	if string(ber.Marshal(n)) != string(b) {
		return b
	}
	this := n.Children[0].Child(ber.Context, 2).Child(ber.Context, 0)
	if this == nil {
		return b
	}
	masked := false
	for tag, placeholder := range map[int]string{0: ILLDatePlaceholder, 1: ILLTimePlaceholder} {
		if f := this.Child(ber.Context, tag); f != nil && !f.Constructed {
			f.Value = []byte(placeholder)
			masked = true
		}
	}
	if !masked {
		return b
	}
	return ber.Marshal(n)
}

// The placeholders of a masked service-date-time.
const (
	ILLDatePlaceholder = "YYYYMMDD"
	ILLTimePlaceholder = "HHMMSS"
)

// ILLLines are the transcript lines of one APDU: its hex, 32 octets a
// line, as Send or Expect lines, then its rendering as "#| " comments.
func ILLLines(kind Kind, b []byte) []Line {
	var out []Line
	for i := 0; i < len(b); i += 32 {
		out = append(out, Line{Kind: kind, Text: fmt.Sprintf("% X", b[i:min(i+32, len(b))])})
	}
	for _, l := range RenderILL(b) {
		out = append(out, Line{Kind: Comment, Text: "#| " + l})
	}
	return out
}
