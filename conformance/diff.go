package conformance

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// DiffSIP2 explains how two SIP2 messages differ, field by field, as the
// sip2 codec reads them: one line per differing field, labelled with its
// wire code where it has one ("AH DueDate: want ... got ..."). Both
// messages should be masked already. It returns nil if they are equal.
func DiffSIP2(want, got string) []string {
	if want == got {
		return nil
	}
	wr, wok := splitSIP2(want)
	gr, gok := splitSIP2(got)
	if !wok || !gok || wr.code != gr.code {
		return []string{fmt.Sprintf("message: want %s got %s", describeCode(want), describeCode(got))}
	}
	wf, werr := decodeLoose(want)
	gf, gerr := decodeLoose(got)
	if werr != nil || gerr != nil {
		return []string{fmt.Sprintf("unreadable: want error %v, got error %v", werr, gerr)}
	}
	var out []string
	if a, b := seqText(wr.trailer), seqText(gr.trailer); a != b {
		out = append(out, fmt.Sprintf("AY sequence: want %s got %s", a, b))
	}
	wv, gv := reflect.ValueOf(wf.Message).Elem(), reflect.ValueOf(gf.Message).Elem()
	var labels []string
	for i := 0; i < wv.NumField(); i++ {
		a, b := wv.Field(i), gv.Field(i)
		if reflect.DeepEqual(a.Interface(), b.Interface()) {
			continue
		}
		if labels == nil {
			labels = fieldLabels(wr.code)
		}
		out = append(out, fmt.Sprintf("%s: want %s got %s", labels[i], showValue(a), showValue(b)))
	}
	if len(out) == 0 {
		switch {
		case wr.trailer != gr.trailer:
			out = append(out, fmt.Sprintf("trailer: want %q got %q", wr.trailer, gr.trailer))
		default:
			out = append(out, "same field values, different bytes (field order, repeated or empty fields, or formatting)")
		}
	}
	return out
}

// decodeLoose reads a message without verifying its checksum (masked lines
// have a recomputed one; a hand-edited line may not).
func decodeLoose(line string) (sip2.Frame, error) {
	c := sip2.Codec{ErrorDetection: sip2.ErrorDetectionOff}
	return c.Decode([]byte(line))
}

func describeCode(line string) string {
	if len(line) < 2 {
		return strconv.Quote(line)
	}
	return line[:2] + " (" + sip2.Name(line[:2]) + ")"
}

func seqText(trailer string) string {
	if strings.HasPrefix(trailer, "AY") {
		return trailer[2:3]
	}
	return "(none)"
}

// fieldLabels names every field of a message type: "fixed Name" for the
// fixed part, "XX Name" for a variable field with wire code XX, found by
// formatting the message with and without a value in the field.
func fieldLabels(code string) []string {
	base := sip2.New(code)
	t := reflect.TypeOf(base).Elem()
	w, _ := sip2FixedWidth(code)
	plain := sip2.Format(base)
	labels := make([]string, t.NumField())
	for i := range labels {
		name := t.Field(i).Name
		labels[i] = name
		m := sip2.New(code)
		if !probe(reflect.ValueOf(m).Elem().Field(i)) {
			continue
		}
		set := sip2.Format(m)
		d := 0
		for d < len(plain) && d < len(set) && plain[d] == set[d] {
			d++
		}
		switch {
		case d == len(plain) && d == len(set):
			// the probe value does not show on the wire
		case d < 2+w:
			labels[i] = "fixed " + name
		default:
			start := strings.LastIndexByte(set[:d], '|') + 1
			if start < 2+w {
				start = 2 + w
			}
			if start+2 <= len(set) {
				labels[i] = set[start:start+2] + " " + name
			}
		}
	}
	return labels
}

// probe puts a recognisable value in a field; false if it cannot.
func probe(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		v.SetString("Q1")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int:
		v.SetInt(7)
	case reflect.Uint8:
		v.SetUint('Y')
	case reflect.Array:
		if v.Len() == 0 || v.Index(0).Kind() != reflect.Bool {
			return false
		}
		v.Index(0).SetBool(true)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return false
		}
		v.Set(reflect.ValueOf([]string{"Q1"}))
	case reflect.Pointer:
		switch v.Type().Elem().Kind() {
		case reflect.String:
			s := "Q1"
			v.Set(reflect.ValueOf(&s))
		case reflect.Bool:
			b := true
			v.Set(reflect.ValueOf(&b))
		default:
			return false
		}
	case reflect.Struct:
		if _, ok := v.Interface().(time.Time); !ok {
			return false
		}
		v.Set(reflect.ValueOf(time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)))
	default:
		return false
	}
	return true
}

// showValue renders a field value the way it reads on the wire.
func showValue(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case time.Time:
		return strconv.Quote(sip2.FormatDate(x))
	case fmt.Stringer:
		return strconv.Quote(x.String())
	case *string:
		if x == nil {
			return "(absent)"
		}
		return strconv.Quote(*x)
	case *bool:
		if x == nil {
			return "(absent)"
		}
		if *x {
			return "Y"
		}
		return "N"
	case []string:
		if len(x) == 0 {
			return "(none)"
		}
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, " ") + "]"
	case []sip2.Field:
		if len(x) == 0 {
			return "(none)"
		}
		q := make([]string, len(x))
		for i, f := range x {
			q[i] = strconv.Quote(f.Code + f.Value)
		}
		return "[" + strings.Join(q, " ") + "]"
	case bool:
		if x {
			return "Y"
		}
		return "N"
	}
	switch v.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Uint8:
		if v.Uint() == 0 {
			return "U"
		}
		return strconv.QuoteRune(rune(v.Uint()))
	}
	return fmt.Sprint(v.Interface())
}
