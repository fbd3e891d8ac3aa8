package iso18626

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// xsdFor is the schema each edition's output must validate against.
var xsdFor = map[Version]string{
	V2017: "testdata/xsd/ISO-18626-v1_2.xsd",
	V2021: "testdata/xsd/iso18626-2021.xsd",
}

// xmllint validates files against the XSD with Debian's xmllint and fails
// the test with its report for each file it refuses.
func xmllint(t *testing.T, xsd string, files []string) {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skipf("xmllint (Debian libxml2-utils) not installed: %v", err)
	}
	if len(files) == 0 {
		t.Fatal("nothing to validate")
	}
	out, err := exec.Command(path, append([]string{"--noout", "--schema", xsd}, files...)...).CombinedOutput()
	if err != nil {
		var bad []string
		for _, l := range strings.Split(string(out), "\n") {
			if l != "" && !strings.HasSuffix(l, " validates") {
				bad = append(bad, l)
			}
		}
		t.Fatalf("xmllint --schema %s: %v\n%s", xsd, err, strings.Join(bad, "\n"))
	}
}

// notWritable are the samples Marshal must refuse for an edition, with the
// element that is missing: ReShare's fixtures without a supplier (optional
// in a 2021 request only), a supplyingAgencyMessage without statusInfo.
var notWritable = map[string]map[Version]string{
	"mod-rs/service_src_integration-test_resources_isoMessages_patronRequest.xml":      {V2017: "request/header/supplyingAgencyId"},
	"mod-rs/service_src_integration-test_resources_isoMessages_patronRequestRetry.xml": {V2017: "request/header/supplyingAgencyId", V2021: "request/header/requestingAgencyId/agencyIdValue"},
}

// TestMarshalSamplesValidate writes every sample Parse accepts for both
// editions, validates all of it with xmllint against the edition's XSD, and
// checks that reading back and writing again gives the same bytes.
func TestMarshalSamplesValidate(t *testing.T) {
	dir := t.TempDir()
	written := map[Version][]string{}
	n := 0
	for _, row := range sampleRows {
		if row.errType != "" {
			continue
		}
		m, err := Parse(readSample(t, row.file))
		if err != nil {
			t.Fatalf("%s: %v", row.file, err)
		}
		for _, v := range []Version{V2017, V2021} {
			out, err := Marshal(m, v)
			if want, refused := notWritable[row.file][v]; refused {
				var me *MarshalError
				if !errors.As(err, &me) || me.Problems[0].Element != want {
					t.Errorf("%s for %s: got %v, want refusal at %s", row.file, v, err, want)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s for %s: %v", row.file, v, err)
				continue
			}
			back, err := Parse(out)
			if err != nil {
				t.Errorf("%s for %s: our output does not parse: %v\n%s", row.file, v, err, out)
				continue
			}
			if got := keyValues(&back); got != row.key {
				t.Errorf("%s for %s: key values %q after a round trip, want %q", row.file, v, got, row.key)
			}
			again, err := Marshal(back, v)
			if err != nil || !bytes.Equal(again, out) {
				t.Errorf("%s for %s: second write differs (%v)\n%s\n%s", row.file, v, err, out, again)
			}
			f := filepath.Join(dir, v.String()+"-"+filepath.Base(row.file))
			if err := os.WriteFile(f, out, 0o600); err != nil {
				t.Fatal(err)
			}
			written[v] = append(written[v], f)
			n++
		}
	}
	if n < 70 {
		t.Fatalf("only %d messages written", n)
	}
	for v, files := range written {
		xmllint(t, xsdFor[v], files)
	}
}

// xmllintRefuses is xmllint expected to fail: the schemas must tell the
// editions apart, or validating against them would prove nothing.
func xmllintRefuses(t *testing.T, xsd, file, want string) {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skipf("xmllint (Debian libxml2-utils) not installed: %v", err)
	}
	out, err := exec.Command(path, "--noout", "--schema", xsd, file).CombinedOutput()
	if err == nil || !strings.Contains(string(out), want) {
		t.Errorf("xmllint --schema %s %s: %v, want a failure naming %s\n%s", xsd, filepath.Base(file), err, want, out)
	}
}

// TestMarshalSchemasTellEditionsApart: what we write for one edition is
// refused by the other's schema where the editions differ, so passing
// TestMarshalSamplesValidate means the right thing.
func TestMarshalSchemasTellEditionsApart(t *testing.T) {
	dir := t.TempDir()
	write := func(name, sample string, v Version) string {
		m, err := Parse(readSample(t, sample))
		if err != nil {
			t.Fatal(err)
		}
		out, err := Marshal(m, v)
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, out, 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	// 2017 headers carry multipleItemRequestId, which a 2021
	// supplyingAgencyMessage header does not have.
	xmllintRefuses(t, xsdFor[V2021], write("sam2017.xml", "circill-toolkit/SupplyingAgencyMessageLoaned.xml", V2017), "multipleItemRequestId")
	// 2021 puts the identifier code before the identifier, and has no
	// multipleItemRequestId in a requestingAgencyMessage header.
	xmllintRefuses(t, xsdFor[V2017], write("req2021.xml", "circill-toolkit/RequestFullWSILLMappingSample1.xml", V2021), "bibliographicItemIdentifierCode")
	xmllintRefuses(t, xsdFor[V2017], write("ram2021.xml", "circill-toolkit/RequestingAgencyMessageRenew.xml", V2021), "timestamp")
}

// TestMarshalDateForms: dates read without a zone or as plain dates go out
// as xs:dateTime without a zone; zoned ones keep their offset.
func TestMarshalDateForms(t *testing.T) {
	b := string(readSample(t, "circill-toolkit/RequestFullWSILLMappingSample1.xml"))
	b = strings.Replace(b, "<ns1:needBeforeDate>2018-01-16T14:00:00Z<", "<ns1:needBeforeDate>2018-01-16<", 1)
	b = strings.Replace(b, "<ns1:timestamp>2018-02-08T08:34:54Z<", "<ns1:timestamp>2018-02-08T10:34:54.25+02:00<", 1)
	b = strings.Replace(b, "<ns1:note>Note<", "<ns1:note>"+strings.Repeat("é", 300)+"<", 1)
	m, err := Parse([]byte(b))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, v := range []Version{V2017, V2021} {
		out, err := Marshal(m, v)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"<needBeforeDate>2018-01-16T00:00:00</needBeforeDate>", "<timestamp>2018-02-08T10:34:54.25+02:00</timestamp>"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("%s: no %s in\n%s", v, want, out)
			}
		}
		xmllint(t, xsdFor[v], []string{writeFile(t, dir, v.String()+".xml", out)})
	}
	// A refusal names its problems, a few of them.
	m.Request.ServiceInfo.ServiceType = "Borrow"
	m.Request.Header.RequestingAgencyRequestID = ""
	m.Request.Header.SupplyingAgencyID = AgencyID{}
	m.Request.SupplierInfo = []SupplierInfo{{SortOrder: "x"}}
	_, err = Marshal(m, V2017)
	if err == nil || !strings.Contains(err.Error(), "cannot write for 1.2") || !strings.Contains(err.Error(), "(and 1 more)") {
		t.Errorf("refusal: %v", err)
	}
	long := &Error{Type: UnrecognisedDataValue, Element: "request/serviceInfo/note", Value: strings.Repeat("é", 300)}
	if d := long.ErrorData(); len(d.ErrorValue) > 210 || !strings.HasSuffix(d.ErrorValue, "…") {
		t.Errorf("long value not clipped: %d bytes", len(d.ErrorValue))
	}
}
