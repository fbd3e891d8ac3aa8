package sip2

import (
	"strconv"
	"strings"
	"time"
)

// A layout binds a message's fields to the wire: the fixed fields in order,
// the standard variable fields in the order to write them, the unknown
// fields, and AF/AG which are always written last.
type layout struct {
	fixed  []fixedSpec
	fields []fieldSpec
	extra  *[]Field
	screen *[]string // AF
	print  *[]string // AG
}

type readCtx struct {
	loc *time.Location
	bad string // the first fixed field that does not hold what it must
}

type fixedSpec struct {
	width int
	read  func(s string, rc *readCtx) // s is exactly width bytes, undecoded
	write func(b []byte) []byte       // appends exactly width bytes
	date  *time.Time
}

func (l *layout) fixedWidth() int {
	n := 0
	for _, f := range l.fixed {
		n += f.width
	}
	return n
}

func readYN(c byte) bool { return c == 'Y' || c == 'y' || c == '1' }

func fxYN(p *bool) fixedSpec {
	return fixedSpec{width: 1,
		read: func(s string, _ *readCtx) { *p = readYN(s[0]) },
		write: func(b []byte) []byte {
			if *p {
				return append(b, 'Y')
			}
			return append(b, 'N')
		}}
}

// fxOK is a boolean written as 1/0 (the "ok" fields).
func fxOK(p *bool) fixedSpec {
	return fixedSpec{width: 1,
		read: func(s string, _ *readCtx) { *p = readYN(s[0]) },
		write: func(b []byte) []byte {
			if *p {
				return append(b, '1')
			}
			return append(b, '0')
		}}
}

func fxTri(p *Tri) fixedSpec {
	return fixedSpec{width: 1,
		read: func(s string, _ *readCtx) {
			switch s[0] {
			case 'Y', 'y', '1':
				*p = Yes
			case 'N', 'n', '0', ' ':
				*p = No
			default:
				*p = Unknown
			}
		},
		write: func(b []byte) []byte { return append(b, p.wire()) }}
}

func fxDate(p *time.Time) fixedSpec {
	return fixedSpec{width: 18, date: p,
		read: func(s string, rc *readCtx) {
			*p = ParseDate(s, rc.loc)
			if rc.bad == "" && p.IsZero() && !blankDate(s) {
				rc.bad = "date " + strconv.Quote(s)
			}
		},
		write: func(b []byte) []byte { return append(b, FormatDate(*p)...) }}
}

// fxCode is a fixed code of exactly width printable ASCII characters.
// digits: only digits are valid (written zero-padded on the left); invalid
// input maps to def.
func fxCode[T ~string](p *T, width int, def T, digits bool) fixedSpec {
	valid := func(s string) bool {
		if !printableASCII(s) {
			return false
		}
		if digits {
			return allDigits(strings.TrimSpace(s)) && strings.TrimSpace(s) != ""
		}
		return true
	}
	return fixedSpec{width: width,
		read: func(s string, _ *readCtx) {
			if valid(s) {
				*p = T(s)
			} else {
				*p = def
			}
		},
		write: func(b []byte) []byte {
			v := string(*p)
			if digits {
				v = strings.TrimSpace(v)
			}
			if v == "" || !valid(v) || len(v) > width {
				v = string(def)
			}
			if digits {
				for i := len(v); i < width; i++ {
					b = append(b, '0')
				}
				return append(b, v...)
			}
			b = append(b, v...)
			for i := len(v); i < width; i++ {
				b = append(b, ' ')
			}
			return b
		}}
}

// fxNum is a zero-padded number; invalid input maps to def, output clips to
// the largest value the width holds.
func fxNum(p *int, width int, def int) fixedSpec {
	max := 1
	for i := 0; i < width; i++ {
		max *= 10
	}
	max--
	return fixedSpec{width: width,
		read: func(s string, _ *readCtx) {
			if n, err := strconv.Atoi(s); err == nil && allDigits(s) {
				*p = n
			} else {
				*p = def
			}
		},
		write: func(b []byte) []byte {
			n := *p
			if n < 0 {
				n = def
			}
			if n > max {
				n = max
			}
			s := strconv.Itoa(n)
			for i := len(s); i < width; i++ {
				b = append(b, '0')
			}
			return append(b, s...)
		}}
}

// fxCount is a 4-digit count; 4 blanks (or anything unreadable) mean
// "unsupported", held as -1.
func fxCount(p *int) fixedSpec {
	return fixedSpec{width: 4,
		read: func(s string, _ *readCtx) {
			if n, err := strconv.Atoi(s); err == nil && allDigits(s) {
				*p = n
			} else {
				*p = -1
			}
		},
		write: func(b []byte) []byte {
			n := *p
			if n < 0 {
				return append(b, "    "...)
			}
			if n > 9999 {
				n = 9999
			}
			s := strconv.Itoa(n)
			for i := len(s); i < 4; i++ {
				b = append(b, '0')
			}
			return append(b, s...)
		}}
}

func fxFlags(p []bool) fixedSpec {
	return fixedSpec{width: len(p),
		read: func(s string, _ *readCtx) {
			for i := range p {
				p[i] = s[i] == 'Y' || s[i] == 'y'
			}
		},
		write: func(b []byte) []byte {
			for _, v := range p {
				if v {
					b = append(b, 'Y')
				} else {
					b = append(b, ' ')
				}
			}
			return b
		}}
}

type fieldKind uint8

const (
	kString   fieldKind = iota // required or optional string
	kOptional                  // *string: presence matters
	kFlag                      // *bool: Y/N, presence matters
	kList                      // repeatable
	kFunc                      // custom get/set
)

type fieldSpec struct {
	code     string
	kind     fieldKind
	required bool
	trim     bool // identifiers: trim blanks
	amount   bool // normalize amounts on write
	str      *string
	opt      **string
	flag     **bool
	list     *[]string
	get      func() (string, bool)
	set      func(string)
}

// req: a required string field, always written.
func req(code string, p *string) fieldSpec {
	return fieldSpec{code: code, kind: kString, required: true, str: p}
}

// id: a required identifier (blanks trimmed on read).
func id(code string, p *string) fieldSpec {
	return fieldSpec{code: code, kind: kString, required: true, trim: true, str: p}
}

// opt: an optional string written only when not empty.
func opt(code string, p *string) fieldSpec {
	return fieldSpec{code: code, kind: kString, str: p}
}

// optID: an optional identifier.
func optID(code string, p *string) fieldSpec {
	return fieldSpec{code: code, kind: kString, trim: true, str: p}
}

// typed optional string of a named string type.
func optT[T ~string](code string, p *T) fieldSpec {
	return fieldSpec{code: code, kind: kFunc,
		get: func() (string, bool) { return string(*p), *p != "" },
		set: func(s string) { *p = T(s) }}
}

func amount(code string, p *string, required bool) fieldSpec {
	return fieldSpec{code: code, kind: kString, str: p, amount: true, required: required}
}

// pres: a string whose presence matters (nil = absent); required ones are
// written empty when nil.
func pres(code string, p **string, required bool) fieldSpec {
	return fieldSpec{code: code, kind: kOptional, opt: p, required: required}
}

func flag(code string, p **bool) fieldSpec {
	return fieldSpec{code: code, kind: kFlag, flag: p}
}

func list(code string, p *[]string) fieldSpec {
	return fieldSpec{code: code, kind: kList, list: p}
}

// splitSegment separates a variable field into code and value. A segment
// whose first two bytes are not printable ASCII has no code and is dropped.
func splitSegment(seg string) (code, value string) {
	if len(seg) >= 2 && seg[0] >= 0x20 && seg[0] <= 0x7e && seg[1] >= 0x20 && seg[1] <= 0x7e {
		return seg[:2], seg[2:]
	}
	return "", seg
}

func (l *layout) parseFields(s string, delim byte) {
	var seen uint64
	for len(s) > 0 {
		seg := s
		if i := strings.IndexByte(s, delim); i >= 0 {
			seg, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if seg == "" {
			continue
		}
		code, val := splitSegment(seg)
		if code == "" || code == "AY" || code == "AZ" {
			// A segment without a readable code is not a field; a trailer is
			// read from the end of the message only.
			continue
		}
		if l.screen != nil && code == "AF" {
			*l.screen = append(*l.screen, val)
			continue
		}
		if l.print != nil && code == "AG" {
			*l.print = append(*l.print, val)
			continue
		}
		found := false
		for i := range l.fields {
			f := &l.fields[i]
			if f.code != code {
				continue
			}
			found = true
			if f.kind == kList {
				if val != "" {
					*f.list = append(*f.list, val)
				}
				break
			}
			if seen&(1<<uint(i)) != 0 {
				break // duplicate non-repeatable field: keep the first
			}
			seen |= 1 << uint(i)
			if f.trim {
				val = strings.TrimSpace(val)
			}
			switch f.kind {
			case kString:
				*f.str = val
			case kOptional:
				v := val
				*f.opt = &v
			case kFlag:
				b := val != "" && readYN(val[0])
				*f.flag = &b
			case kFunc:
				f.set(val)
			}
			break
		}
		if !found && l.extra != nil {
			*l.extra = append(*l.extra, Field{Code: code, Value: val})
		}
	}
}

// writer appends sanitized fields.
type writer struct {
	b      []byte
	delim  byte
	redact bool
}

func (w *writer) value(v string) {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == w.delim || c == '\r' || c == '\n' {
			c = ' '
		}
		w.b = append(w.b, c)
	}
}

func (w *writer) field(code, v string) {
	w.b = append(w.b, code...)
	if w.redact && v != "" && (code == "AC" || code == "AD" || code == "CO") {
		v = "***"
	}
	w.value(v)
	w.b = append(w.b, w.delim)
}

func (l *layout) write(w *writer) {
	for _, f := range l.fixed {
		w.b = f.write(w.b)
	}
	for _, f := range l.fields {
		switch f.kind {
		case kString:
			v := *f.str
			if f.amount && v != "" {
				if c, err := ParseAmount(v); err == nil {
					v = FormatAmount(c)
				}
			}
			if f.required || v != "" {
				w.field(f.code, v)
			}
		case kOptional:
			if *f.opt != nil {
				w.field(f.code, **f.opt)
			} else if f.required {
				w.field(f.code, "")
			}
		case kFlag:
			if *f.flag != nil {
				if **f.flag {
					w.field(f.code, "Y")
				} else {
					w.field(f.code, "N")
				}
			}
		case kList:
			for _, v := range *f.list {
				if v != "" {
					w.field(f.code, v)
				}
			}
		case kFunc:
			if v, ok := f.get(); ok || f.required {
				w.field(f.code, v)
			}
		}
	}
	if l.extra != nil {
		for _, e := range *l.extra {
			w.field(e.Code, e.Value)
		}
	}
	if l.screen != nil {
		for _, v := range *l.screen {
			w.field("AF", v)
		}
	}
	if l.print != nil {
		for _, v := range *l.print {
			w.field("AG", v)
		}
	}
}

// blankDate reports a date field that says "no date": all blanks, the
// reference's placeholder YYYYMMDDZZZZHHMMSS, or all zeros in the date and
// time with any zone.
func blankDate(s string) bool {
	if strings.TrimSpace(s) == "" || s == "YYYYMMDDZZZZHHMMSS" {
		return true
	}
	return len(s) == 18 && strings.Trim(s[:8]+s[12:], "0") == "" && printableASCII(s[8:12])
}
