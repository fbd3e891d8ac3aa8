package iso18626

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// withNote returns a sample with its first note replaced as a peer would
// have written it.
func withNote(t *testing.T, sample, oldNote, newNote string) []byte {
	t.Helper()
	b := string(readSample(t, sample))
	if !strings.Contains(b, "<note>"+oldNote+"</note>") {
		t.Fatalf("%s has no note %q", sample, oldNote)
	}
	return []byte(strings.Replace(b, "<note>"+oldNote+"</note>", "<note>"+newNote+"</note>", 1))
}

func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	f := filepath.Join(dir, name)
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestDialectReShare: ReShare's note markers on its own fixture are read
// into Markers and out of the note, and written back where ReShare looks
// for them; its RequestReceived on a Notification is no status change.
func TestDialectReShare(t *testing.T) {
	const sample = "mod-rs/service_src_test_resources_ISO18626_supplyingAgencyMessage.xml"
	in := withNote(t, sample, "note1", "We can lend it#ReShareAddLoanCondition##ReShareUpdatedField-Title:Lord of the Rings##ReShareUpdatedField-ServiceLevel-Rush##lastSeq:2##seq:3#")
	rd := Reader{Dialect: ReShare}
	m, err := rd.Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.SupplyingAgencyMessage.MessageInfo.Note; got != "We can lend it" {
		t.Errorf("note %q, want the markers stripped", got)
	}
	mk := m.Markers
	if mk == nil || mk.Seq == nil || *mk.Seq != 3 || mk.LastSeq == nil || *mk.LastSeq != 2 ||
		!reflect.DeepEqual(mk.Flags, []string{FlagAddLoanCondition}) ||
		!reflect.DeepEqual(mk.Updated, map[string]string{"Title": "Lord of the Rings", "ServiceLevel": "Rush"}) {
		t.Fatalf("markers %+v", mk)
	}

	out, err := Writer{Dialect: ReShare}.Marshal(m, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `ill:version="1.2"`) ||
		!strings.Contains(string(out), "<note>We can lend it#ReShareAddLoanCondition##ReShareUpdatedField-ServiceLevel-Rush##ReShareUpdatedField-Title:Lord of the Rings##lastSeq:2##seq:3#</note>") {
		t.Errorf("written for ReShare:\n%s", out)
	}
	back, err := rd.Parse(out)
	if err != nil || !reflect.DeepEqual(back.Markers, m.Markers) || back.SupplyingAgencyMessage.MessageInfo.Note != "We can lend it" {
		t.Errorf("read back: %v %+v", err, back.Markers)
	}
	if m.SupplyingAgencyMessage.MessageInfo.Note != "We can lend it" {
		t.Error("Marshal changed the caller's message")
	}

	// A Notification with ReShare's RequestReceived: no status change.
	n := strings.Replace(string(in), "<reasonForMessage>RequestResponse<", "<reasonForMessage>Notification<", 1)
	nm, err := rd.Parse([]byte(n))
	if err != nil || nm.SupplyingAgencyMessage.StatusInfo.Status != "" {
		t.Errorf("notification status %q (%v), want none", nm.SupplyingAgencyMessage.StatusInfo.Status, err)
	}
	if pm, _ := Parse([]byte(n)); pm.SupplyingAgencyMessage.StatusInfo.Status != StatusRequestReceived {
		t.Error("without the dialect the status must stay as sent")
	}

	// Refusing conditions toward ReShare is a Cancel.
	ram, err := Parse(withNote(t, "mod-rs/service_src_test_resources_ISO18626_requestingAgencyMessage.xml", "note1", "no thanks"))
	if err != nil {
		t.Fatal(err)
	}
	ram.RequestingAgencyMessage.Action = ActionNotification
	ram.Markers = &Markers{Flags: []string{FlagConditionsRejected}, Seq: intp(7)}
	out2, err := Writer{Dialect: ReShare}.Marshal(ram, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out2), "<action>Cancel</action><note>no thanks#seq:7#</note>") {
		t.Errorf("rejection for ReShare:\n%s", out2)
	}
	if ram.RequestingAgencyMessage.Action != ActionNotification {
		t.Error("Marshal changed the caller's action")
	}
	dir := t.TempDir()
	xmllint(t, xsdFor[V2017], []string{writeFile(t, dir, "sam.xml", out), writeFile(t, dir, "ram.xml", out2)})
}

// TestDialectOCLC: OCLC's own samples go back out as OCLC writes them,
// version v1_2_2017, schema-valid.
func TestDialectOCLC(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, s := range []string{"circill-toolkit/NewRequest.xml", "circill-toolkit/SupplyingAgencyMessageRenewYes.xml", "circill-toolkit/RequestingAgencyMessageCancel.xml"} {
		m, err := Reader{Dialect: OCLC}.Parse(readSample(t, s))
		if err != nil {
			t.Fatal(err)
		}
		out, err := Writer{Dialect: OCLC}.Marshal(m, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), `ill:version="v1_2_2017"`) || !strings.Contains(string(out), "<multipleItemRequestId>") {
			t.Errorf("%s for OCLC:\n%s", s, out)
		}
		back, err := Parse(out)
		if err != nil || back.Version != "v1_2_2017" || keyValues(&back) != keyValues(&m) {
			t.Errorf("%s read back: %v %q", s, err, back.Version)
		}
		files = append(files, writeFile(t, dir, filepath.Base(s), out))
	}
	xmllint(t, xsdFor[V2017], files)
}

// TestDialectAlma: toward Alma what staff must see goes into the note,
// ExpectToSupply becomes WillSupply, codes are Alma's; from Alma, ACCEPT or
// REJECT in a Notification answers conditions.
func TestDialectAlma(t *testing.T) {
	dir := t.TempDir()
	w := Writer{Dialect: Alma}

	loan, err := Parse(readSample(t, "circill-toolkit/SupplyingAgencyMessageLoaned.xml"))
	if err != nil {
		t.Fatal(err)
	}
	loan.SupplyingAgencyMessage.DeliveryInfo.LoanCondition = []SchemeValue{{Value: "LibraryUseOnly"}}
	loan.SupplyingAgencyMessage.MessageInfo.OfferedCosts = &Costs{CurrencyCode: SchemeValue{Value: "EUR"}, MonetaryValue: "4.50"}
	before := loan.SupplyingAgencyMessage.MessageInfo.Note
	out, err := w.Marshal(loan, 0)
	if err != nil {
		t.Fatal(err)
	}
	back, _ := Parse(out)
	note := back.SupplyingAgencyMessage.MessageInfo.Note
	for _, want := range []string{before, "Loan condition: LibraryUseOnly", "Offered costs: 4.50 EUR",
		"Return to: ILL Dept, 535 Avenue Viger E, Office 123, H2L 2P3 Montréal, CA-QC, CA"} {
		if !strings.Contains(note, want) {
			t.Errorf("note for Alma lacks %q:\n%s", want, note)
		}
	}
	if loan.SupplyingAgencyMessage.MessageInfo.Note != before {
		t.Error("Marshal changed the caller's note")
	}

	ets, err := Parse(readSample(t, "circill-toolkit/SupplyingAgencyMessageRenewYes.xml"))
	if err != nil {
		t.Fatal(err)
	}
	ets.SupplyingAgencyMessage.StatusInfo.Status = StatusExpectToSupply
	out2, err := w.Marshal(ets, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out2), "<status>WillSupply</status>") || ets.SupplyingAgencyMessage.StatusInfo.Status != StatusExpectToSupply {
		t.Errorf("ExpectToSupply for Alma:\n%s", out2)
	}

	req, err := Parse(readSample(t, "circill-toolkit/RequestFullWSILLMappingSample1.xml"))
	if err != nil {
		t.Fatal(err)
	}
	req.Request.ServiceInfo.ServiceLevel = SchemeValue{Value: "SuperFast"}
	req.Request.BibliographicInfo.BibliographicItemID[0].Code.Value = "isbn"
	out3, err := w.Marshal(req, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<serviceLevel>Standard</serviceLevel>", ">ISBN</bibliographicItemIdentifierCode>",
		"Deliver to: 1234 City St., line2, 12345 Town, US-OH, US</note>"} {
		if !strings.Contains(string(out3), want) {
			t.Errorf("request for Alma lacks %q:\n%s", want, out3)
		}
	}
	if req.Request.BibliographicInfo.BibliographicItemID[0].Code.Value != "isbn" || req.Request.ServiceInfo.ServiceLevel.Value != "SuperFast" {
		t.Error("Marshal changed the caller's request")
	}
	xmllint(t, xsdFor[V2017], []string{writeFile(t, dir, "loan.xml", out), writeFile(t, dir, "ets.xml", out2), writeFile(t, dir, "req.xml", out3)})

	for note, flag := range map[string]string{"accept": FlagConditionsAccepted, " REJECT ": FlagConditionsRejected} {
		b := string(readSample(t, "circill-toolkit/RequestingAgencyMessageNotification1.xml"))
		i, j := strings.Index(b, "<ns1:note>"), strings.Index(b, "</ns1:note>")
		m, err := Reader{Dialect: Alma}.Parse([]byte(b[:i] + "<ns1:note>" + note + b[j:]))
		if err != nil {
			t.Fatal(err)
		}
		if !m.Markers.Has(flag) {
			t.Errorf("note %q read as %+v, want %s", note, m.Markers, flag)
		}
	}
}

// TestConfiguredNames: the edition and dialect names a configuration may
// use, and the refusal of others.
func TestConfiguredNames(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Version
		err  bool
	}{{"", 0, false}, {"2017", V2017, false}, {"1.2", V2017, false}, {"V1_2_2017", V2017, false},
		{"2021", V2021, false}, {"2021-2", V2021, false}, {"2014", 0, true}, {"1.3", 0, true}} {
		v, err := ParseVersion(c.in)
		if v != c.want || (err != nil) != c.err {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v, error %v", c.in, v, err, c.want, c.err)
		}
	}
	for _, c := range []struct {
		in   string
		want *Dialect
		err  bool
	}{{"", nil, false}, {"reshare", ReShare, false}, {"OCLC", OCLC, false}, {"alma", Alma, false},
		{"rapido", Alma, false}, {"vdx", nil, true}} {
		d, err := DialectNamed(c.in)
		if d != c.want || (err != nil) != c.err {
			t.Errorf("DialectNamed(%q) = %v, %v; want %v, error %v", c.in, d, err, c.want, c.err)
		}
	}
}
