package sru

import (
	"bytes"
	"strings"

	"github.com/bibgate/bibgate/marc"
)

// Schema is a record schema the handler can deliver.
type Schema struct {
	Name       string   // short name: marcxml, dc, mods
	Identifier string   // the URI sent as recordSchema
	Title      string   // for explain
	Aliases    []string // other names and URIs clients use for it
	// Render turns a record into one XML element (no XML declaration).
	Render func(*marc.Record) ([]byte, error)
}

// Record schema identifiers.
const (
	SchemaMARCXML     = "info:srw/schema/1/marcxml-v1.1"
	SchemaDC          = "info:srw/schema/1/dc-v1.1"
	SchemaMODS        = "info:srw/schema/1/mods-v3.6"
	SchemaZeeRex      = "http://explain.z3950.org/dtd/2.0/"
	SchemaDiagnostics = "info:srw/schema/1/diagnostics-v1.1"
)

// DefaultSchemas returns marcxml, dc and mods.
func DefaultSchemas() []Schema {
	return []Schema{
		{
			Name: "marcxml", Identifier: SchemaMARCXML, Title: "MARC 21 XML (MARCXML)",
			Aliases: []string{"info:srw/schema/1/marcxml-1.1", "info:srw/schema/1/marcxml-v1.0",
				"marc21", "MARC21-xml", "marc", "xml", marc.Namespace},
			Render: renderMARCXML,
		},
		{
			Name: "dc", Identifier: SchemaDC, Title: "Dublin Core",
			Aliases: []string{"info:srw/schema/1/dc-schema", "info:srw/schema/1/dc-v1.0",
				"http://purl.org/dc/elements/1.1/", "oai_dc"},
			Render: RenderDC,
		},
		{
			Name: "mods", Identifier: SchemaMODS, Title: "MODS v3.6",
			Aliases: []string{"info:srw/schema/1/mods-v3.0", "info:srw/schema/1/mods-v3.1",
				"info:srw/schema/1/mods-v3.2", "info:srw/schema/1/mods-v3.3", "info:srw/schema/1/mods-v3.4",
				"info:srw/schema/1/mods-v3.5", "info:srw/schema/1/mods-v3.7", "info:srw/schema/1/mods-v3.8",
				"info:srw/schema/1/mods-v3.x", "http://www.loc.gov/mods/v3", "mods3"},
			Render: RenderMODS,
		},
	}
}

func (s *Schema) matches(name string) bool {
	if strings.EqualFold(name, s.Name) || name == s.Identifier {
		return true
	}
	for _, a := range s.Aliases {
		if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

func renderMARCXML(r *marc.Record) ([]byte, error) {
	b, err := marc.MarshalXML(r)
	if err != nil {
		return nil, err
	}
	return stripXMLDecl(b), nil
}

// stripXMLDecl drops a leading <?xml ...?> declaration and surrounding
// white space so the bytes can be embedded in recordData.
func stripXMLDecl(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if bytes.HasPrefix(b, []byte("<?xml")) {
		if i := bytes.Index(b, []byte("?>")); i >= 0 {
			b = bytes.TrimSpace(b[i+2:])
		}
	}
	return b
}

// chop removes the punctuation ISBD leaves at the end of MARC subfields
// (" /", " :", ";", ",", "."), as the LC MARCXML stylesheets do.
func chop(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), " .:,;/")
}

// subText joins the chosen subfields of f with spaces, chopped.
func subText(f *marc.Field, codes string) string {
	return chop(strings.Join(f.Subs(codes), " "))
}

// controlAt returns positions [from,to) of a control field, or "".
func controlAt(r *marc.Record, tag string, from, to int) string {
	f := r.First(tag)
	if f == nil || len(f.Value) < to {
		return ""
	}
	return f.Value[from:to]
}

func leaderAt(r *marc.Record, i int) byte {
	if len(r.Leader) > i {
		return r.Leader[i]
	}
	return ' '
}

// languages returns the record's MARC language codes: 008/35-37, then
// 041, without repeats.
func languages(r *marc.Record) []string {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		c = strings.ToLower(strings.TrimSpace(c))
		if len(c) != 3 || seen[c] || c == "|||" {
			return
		}
		for i := 0; i < 3; i++ {
			if c[i] < 'a' || c[i] > 'z' {
				return
			}
		}
		seen[c] = true
		out = append(out, c)
	}
	add(controlAt(r, "008", 35, 38))
	for _, f := range r.FieldsByTag("041") {
		for _, v := range f.Subs("abdefghj") {
			v = strings.TrimSpace(v)
			if len(v)%3 != 0 {
				continue
			}
			for i := 0; i+3 <= len(v); i += 3 {
				add(v[i : i+3])
			}
		}
	}
	return out
}

// firstToken returns the ISBN or ISSN at the start of a 020/022 $a
// ("9984-22-467-0 (pbk.)" gives "9984-22-467-0").
func firstToken(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " \t("); i >= 0 {
		s = s[:i]
	}
	return chop(s)
}

// publication returns place, publisher and date from 260, else from the
// 264 with second indicator 1.
func publication(r *marc.Record) (place, publisher, date string) {
	f := r.First("260")
	if f == nil {
		for _, g := range r.FieldsByTag("264") {
			if g.Ind2 == '1' {
				f = g
				break
			}
		}
	}
	if f == nil {
		return "", "", ""
	}
	return subText(f, "a"), subText(f, "b"), subText(f, "c")
}

// date1 returns 008/07-10 when it is four digits.
func date1(r *marc.Record) string {
	d := controlAt(r, "008", 7, 11)
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return ""
		}
	}
	return d
}

// subjectHeading renders a 6XX as "main -- subdivision -- ...".
func subjectHeading(f *marc.Field, main string) string {
	parts := []string{}
	if m := subText(f, main); m != "" {
		parts = append(parts, m)
	}
	for _, s := range f.Subfields {
		if strings.IndexByte("vxyz", s.Code) >= 0 {
			if v := chop(s.Value); v != "" {
				parts = append(parts, v)
			}
		}
	}
	return strings.Join(parts, "--")
}
