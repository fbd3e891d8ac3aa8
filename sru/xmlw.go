package sru

import (
	"bytes"
	"encoding/xml"
	"strconv"
)

// xmlWriter builds an XML document by hand, so that prefixes and element
// order are exactly what the SRU schemas want. Text goes through
// xml.EscapeText, which also replaces invalid UTF-8 and characters XML
// cannot hold with U+FFFD, so the output is always well formed.
type xmlWriter struct {
	buf bytes.Buffer
}

// open writes <name a1="v1" ...>; attrs are name, value pairs.
func (w *xmlWriter) open(name string, attrs ...string) {
	w.buf.WriteByte('<')
	w.buf.WriteString(name)
	w.attrs(attrs)
	w.buf.WriteByte('>')
}

func (w *xmlWriter) attrs(attrs []string) {
	for i := 0; i+1 < len(attrs); i += 2 {
		w.buf.WriteByte(' ')
		w.buf.WriteString(attrs[i])
		w.buf.WriteString(`="`)
		w.escape(attrs[i+1])
		w.buf.WriteByte('"')
	}
}

// empty writes <name a1="v1"/>.
func (w *xmlWriter) empty(name string, attrs ...string) {
	w.buf.WriteByte('<')
	w.buf.WriteString(name)
	w.attrs(attrs)
	w.buf.WriteString("/>")
}

func (w *xmlWriter) close(name string) {
	w.buf.WriteString("</")
	w.buf.WriteString(name)
	w.buf.WriteByte('>')
}

// elem writes <name attrs>text</name>.
func (w *xmlWriter) elem(name, text string, attrs ...string) {
	w.open(name, attrs...)
	w.escape(text)
	w.close(name)
}

// elemIf writes the element only when text is not empty.
func (w *xmlWriter) elemIf(name, text string, attrs ...string) {
	if text != "" {
		w.elem(name, text, attrs...)
	}
}

func (w *xmlWriter) elemInt(name string, n int) { w.elem(name, strconv.Itoa(n)) }

func (w *xmlWriter) escape(s string) { _ = xml.EscapeText(&w.buf, []byte(s)) }

func (w *xmlWriter) raw(b []byte) { w.buf.Write(b) }

func (w *xmlWriter) bytes() []byte { return w.buf.Bytes() }
