package z3950

import (
	"bytes"
	"encoding/hex"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/internal/ber"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readStream splits a captured byte stream into APDUs.
func readStream(t testing.TB, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	r := ber.NewReader(bytes.NewReader(data), ber.Limits{})
	var out [][]byte
	for {
		raw, err := r.ReadRaw()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, raw)
	}
}

func mustDecode(t *testing.T, raw []byte) PDU {
	t.Helper()
	p, err := Unmarshal(raw, ber.Limits{})
	if err != nil {
		t.Fatalf("decode %X: %v", raw[:min(len(raw), 16)], err)
	}
	return p
}

// TestCapturedSession decodes every APDU of a real yaz-client/yaz-ztest
// association and checks what each side said.
func TestCapturedSession(t *testing.T) {
	var reqs, resps []PDU
	for _, raw := range readStream(t, "testdata/yaz-ztest-session.c2s") {
		reqs = append(reqs, mustDecode(t, raw))
	}
	for _, raw := range readStream(t, "testdata/yaz-ztest-session.s2c") {
		resps = append(resps, mustDecode(t, raw))
	}
	var reqTags, respTags []string
	for _, p := range reqs {
		reqTags = append(reqTags, PDUName(p.Tag()))
	}
	for _, p := range resps {
		respTags = append(respTags, PDUName(p.Tag()))
	}
	wantReq := "initRequest searchRequest presentRequest presentRequest presentRequest presentRequest scanRequest sortRequest deleteResultSetRequest searchRequest close"
	wantResp := "initResponse searchResponse presentResponse presentResponse presentResponse presentResponse scanResponse sortResponse deleteResultSetResponse searchResponse close"
	if got := strings.Join(reqTags, " "); got != wantReq {
		t.Errorf("requests:\n got %s\nwant %s", got, wantReq)
	}
	if got := strings.Join(respTags, " "); got != wantResp {
		t.Fatalf("responses:\n got %s\nwant %s", got, wantResp)
	}

	init := reqs[0].(*InitializeRequest)
	prop, ok := FindCharsetProposal(init.OtherInfo)
	if !ok || len(prop.Charsets) != 1 || !prop.Charsets[0].IsUTF8() {
		t.Errorf("charset proposal = %+v %v", prop, ok)
	}
	initResp := resps[0].(*InitializeResponse)
	cr, ok := FindCharsetResponse(initResp.OtherInfo)
	if !ok || cr.Selected == nil || cr.Selected.Name != "ISO-8859-1" {
		t.Errorf("charset response = %+v", cr)
	}

	search := reqs[1].(*SearchRequest)
	if search.Query.Kind != QueryRPN || FormatPQF(search.Query.RPN) != "@attr 5=1 @attr 1=4 computer" {
		t.Errorf("query = %+v", search.Query)
	}
	if sr := resps[1].(*SearchResponse); !sr.SearchStatus || sr.ResultCount != 23 {
		t.Errorf("search response = %+v", sr)
	}
	pr := reqs[2].(*PresentRequest)
	if pr.ResultSetStartPoint != 1 || pr.NumberOfRecordsRequested != 2 || pr.PreferredRecordSyntax != OIDUSMARC {
		t.Errorf("present = %+v", pr)
	}
	usmarc := resps[2].(*PresentResponse)
	if usmarc.NumberOfRecordsReturned != 2 || len(usmarc.Records.Records) != 2 {
		t.Fatalf("usmarc present = %+v", usmarc)
	}
	rec := usmarc.Records.Records[0]
	if rec.Database != "Default" || rec.Record.DirectReference != OIDUSMARC || !bytes.HasPrefix(rec.Record.Octets, []byte("00366nam")) {
		t.Errorf("usmarc record = %+v", rec)
	}
	sutrs := resps[3].(*PresentResponse).Records.Records[0].Record
	if text, _ := RecordBytes(sutrs); sutrs.DirectReference != OIDSUTRS || !strings.Contains(string(text), "SUTRS record number 1") {
		t.Errorf("sutrs = %+v", sutrs)
	}
	opacExt := resps[4].(*PresentResponse).Records.Records[0].Record
	opac, err := ParseOPACRecord(opacExt.Single)
	if err != nil {
		t.Fatal(err)
	}
	if opac.Bibliographic == nil || len(opac.Holdings) != 1 || opac.Holdings[0].Circ == nil {
		t.Fatalf("opac = %+v", opac)
	}
	h := opac.Holdings[0].Circ
	if h.CallNumber != "MLCM 89/00602 (N)" || len(h.Circulation) != 1 || !h.Circulation[0].AvailableNow || h.Circulation[0].ItemID != "1226176" {
		t.Errorf("holdings = %+v", h)
	}
	xmlRec := resps[5].(*PresentResponse).Records.Records[0].Record
	if xmlRec.DirectReference != OIDXML || !bytes.Contains(xmlRec.Octets, []byte("<record")) {
		t.Errorf("xml record = %+v", xmlRec)
	}
	if esn := reqs[5].(*PresentRequest).ElementSetNames.Name(); esn != "marcxml" {
		t.Errorf("esn = %q", esn)
	}
	scan := reqs[6].(*ScanRequest)
	if v, _ := scan.TermListAndStartPoint.Attr(1); v != 4 || string(scan.TermListAndStartPoint.Term.Bytes) != "comp" {
		t.Errorf("scan = %+v", scan)
	}
	scanResp := resps[6].(*ScanResponse)
	if len(scanResp.Entries) != 5 || string(scanResp.Entries[0].Term.Bytes) != "COMPUTER" || *scanResp.Entries[0].GlobalOccurrences != 12 {
		t.Errorf("scan response = %+v", scanResp)
	}
	sortReq := reqs[7].(*SortRequest)
	if len(sortReq.SortSequence) != 1 || sortReq.SortSequence[0].CaseSensitivity != 1 || sortReq.SortSequence[0].Key.Kind != SortAttributes {
		t.Errorf("sort = %+v", sortReq)
	}
	if sr := resps[7].(*SortResponse); sr.SortStatus != SortSuccess {
		t.Errorf("sort response = %+v", sr)
	}
	del := reqs[8].(*DeleteResultSetRequest)
	if del.DeleteFunction != DeleteList || !reflect.DeepEqual(del.ResultSetList, []string{"1"}) {
		t.Errorf("delete = %+v", del)
	}
	cql := reqs[9].(*SearchRequest)
	if cql.Query.Kind != QueryCQL || cql.Query.CQL != "dc.title=computer" {
		t.Errorf("cql = %+v", cql.Query)
	}
	if c := resps[10].(*Close); c.CloseReason != CloseFinished {
		t.Errorf("close = %+v", c)
	}
}

// TestReencodeCaptured: what we decode, we encode to the same tree.
func TestReencodeCaptured(t *testing.T) {
	for _, name := range []string{"testdata/yaz-ztest-session.c2s", "testdata/yaz-ztest-session.s2c"} {
		for i, raw := range readStream(t, name) {
			p := mustDecode(t, raw)
			orig, _ := ber.Unmarshal(raw, ber.Limits{})
			again, err := ber.Unmarshal(Marshal(p), ber.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if orig.String() != again.String() {
				t.Errorf("%s #%d %s:\n orig %s\nagain %s", name, i, PDUName(p.Tag()), orig, again)
			}
		}
	}
}

func TestReferenceHex(t *testing.T) {
	// SearchResponse from the protocol reference: 12 hits, none returned.
	p := mustDecode(t, unhex(t, "B7 0C 97 01 0C 98 01 00 99 01 01 96 01 01"))
	sr := p.(*SearchResponse)
	if sr.ResultCount != 12 || sr.NumberOfRecordsReturned != 0 || sr.NextResultSetPosition != 1 || !sr.SearchStatus {
		t.Errorf("got %+v", sr)
	}
	// Close(finished).
	if got := Marshal(&Close{CloseReason: CloseFinished}); !bytes.Equal(got, unhex(t, "BF 30 05 9F 81 53 01 00")) {
		t.Errorf("close = %X", got)
	}
	// nonSurrogateDiagnostic 13 "99" as version 2 writes it.
	pres := &PresentResponse{PresentStatus: PresentFailure, Records: &Records{Diagnostics: []*Diagnostic{NewDiagnostic(13, "99")}}}
	got := AppendPDU(nil, pres, 2)
	want := unhex(t, "BF 81 02 10 06 07 2A 86 48 CE 13 04 01 02 01 0D 1A 02 39 39")
	if !bytes.Contains(got, want) {
		t.Errorf("v2 diagnostic:\n got %X\nwant ...%X...", got, want)
	}
	v3 := Marshal(pres)
	want[len(want)-4] = 0x1B
	if !bytes.Contains(v3, want) {
		t.Errorf("v3 diagnostic: %X", v3)
	}
}

func TestInitCredentialsAndCharset(t *testing.T) {
	raw, err := os.ReadFile("testdata/yaz-client-init-charset.bin")
	if err != nil {
		t.Fatal(err)
	}
	init := mustDecode(t, raw).(*InitializeRequest)
	user, _, pass := init.Auth.Credentials()
	if user != "alice" || pass != "secret" {
		t.Errorf("credentials = %q %q", user, pass)
	}
	for _, bit := range []int{OptSearch, OptPresent, OptDelSet, OptScan, OptSort, OptNamedResultSets, OptNegotiationModel} {
		if !init.Options.At(bit) {
			t.Errorf("option %d not set", bit)
		}
	}
	if !init.ProtocolVersion.At(Version3) {
		t.Error("v3 not offered")
	}
	tests := []struct {
		auth       IDAuthentication
		user, pass string
	}{
		{IDAuthentication{Kind: AuthOpen, Open: "bob/pw/with/slash"}, "bob", "pw/with/slash"},
		{IDAuthentication{Kind: AuthOpen, Open: "justuser"}, "justuser", ""},
		{IDAuthentication{Kind: AuthIDPass, UserID: "carol", GroupID: "g", Password: "x"}, "carol", "x"},
		{IDAuthentication{Kind: AuthAnonymous}, "", ""},
	}
	for _, tt := range tests {
		req := &InitializeRequest{ProtocolVersion: ber.Bits(0, 1, 2), Options: ber.Bits(0), Auth: &tt.auth}
		back := mustDecode(t, Marshal(req)).(*InitializeRequest)
		u, _, p := back.Auth.Credentials()
		if u != tt.user || p != tt.pass || back.Auth.Kind != tt.auth.Kind {
			t.Errorf("%+v -> %q %q kind %d", tt.auth, u, p, back.Auth.Kind)
		}
	}
}

func TestCharsetResponseRoundTrip(t *testing.T) {
	utf8 := Charset{Encoding: OIDUTF8}
	resp := &InitializeResponse{Result: true, ProtocolVersion: ber.Bits(0, 1, 2), Options: ber.Bits(0, 1, 17),
		OtherInfo: []OtherInfo{CharsetInfo((&CharsetResponse{Selected: &utf8, RecordsInSelectedCharsets: BoolPtr(true)}).Node())}}
	back := mustDecode(t, Marshal(resp)).(*InitializeResponse)
	cr, ok := FindCharsetResponse(back.OtherInfo)
	if !ok || cr.Selected == nil || !cr.Selected.IsUTF8() || cr.RecordsInSelectedCharsets == nil || !*cr.RecordsInSelectedCharsets {
		t.Errorf("got %+v", cr)
	}
	none := &InitializeResponse{OtherInfo: []OtherInfo{CharsetInfo((&CharsetResponse{}).Node())}}
	cr, ok = FindCharsetResponse(mustDecode(t, Marshal(none)).(*InitializeResponse).OtherInfo)
	if !ok || cr.Selected != nil {
		t.Errorf("none: %+v", cr)
	}
	prop := &CharsetProposal{Charsets: []Charset{{Name: "ISO-8859-1"}, utf8}, RecordsInSelectedCharsets: BoolPtr(true)}
	req := &InitializeRequest{ProtocolVersion: ber.Bits(2), Options: ber.Bits(0), OtherInfo: []OtherInfo{CharsetInfo(prop.Node())}}
	p, ok := FindCharsetProposal(mustDecode(t, Marshal(req)).(*InitializeRequest).OtherInfo)
	if !ok || len(p.Charsets) != 2 || p.Charsets[0].Name != "ISO-8859-1" || !p.Charsets[1].IsUTF8() {
		t.Errorf("proposal: %+v", p)
	}
}

func TestInitRefusal(t *testing.T) {
	for _, v := range []int{2, 3} {
		resp := &InitializeResponse{ProtocolVersion: ber.Bits(0, 1, 2), Options: ber.Bits(), Result: false,
			UserInformationField: InitRefusal(NewDiagnostic(DiagBadUserPassword, "alice"), v)}
		back := mustDecode(t, AppendPDU(nil, resp, v)).(*InitializeResponse)
		d, ok := InitRefusalDiagnostic(back.UserInformationField)
		if back.Result || !ok || d.Condition != 1011 || d.AddInfo != "alice" || d.Set != OIDBib1Diagnostics {
			t.Errorf("v%d: result %v diag %+v", v, back.Result, d)
		}
	}
}

// roundTrip checks that encode→decode→encode is stable and returns the
// decoded PDU.
func roundTrip(t *testing.T, p PDU) PDU {
	t.Helper()
	enc := Marshal(p)
	back := mustDecode(t, enc)
	if again := Marshal(back); !bytes.Equal(again, enc) {
		t.Errorf("%s not stable:\n%X\n%X", PDUName(p.Tag()), enc, again)
	}
	return back
}

func TestPDURoundTrips(t *testing.T) {
	q, err := ParsePQF(`@and @attr 1=1003 @attr 4=2 tolstoy @or @attr 1=4 "war and peace" @set 2`)
	if err != nil {
		t.Fatal(err)
	}
	sr := roundTrip(t, &SearchRequest{ReferenceID: []byte("r1"), SmallSetUpperBound: 1, LargeSetLowerBound: 2000000000,
		MediumSetPresentNumber: 10, ReplaceIndicator: true, ResultSetName: "default", DatabaseNames: []string{"Default", "other"},
		SmallSetElementSetNames: GenericESN("F"), MediumSetElementSetNames: &ElementSetNames{DatabaseSpecific: []DatabaseElementSet{{"Default", "B"}}},
		PreferredRecordSyntax: OIDUSMARC, Query: Query{Kind: QueryRPN, RPN: q}}).(*SearchRequest)
	if string(sr.ReferenceID) != "r1" || FormatPQF(sr.Query.RPN) != FormatPQF(q) || sr.MediumSetElementSetNames.Name() != "B" {
		t.Errorf("search request = %+v", sr)
	}
	cql := roundTrip(t, &SearchRequest{ResultSetName: "1", DatabaseNames: []string{"d"}, Query: Query{Kind: QueryCQL, CQL: "dc.title=x"}}).(*SearchRequest)
	if cql.Query.Kind != QueryCQL || cql.Query.CQL != "dc.title=x" {
		t.Errorf("cql = %+v", cql.Query)
	}
	rec := roundTrip(t, &SearchResponse{ResultCount: 3, NumberOfRecordsReturned: 2, NextResultSetPosition: 3, SearchStatus: true,
		PresentStatus: IntPtr(PresentPartial4), Records: &Records{Records: []NamePlusRecord{
			{Database: "Default", Record: OctetRecord(OIDUSMARC, []byte("00026nam"))},
			{Database: "Default", Diagnostic: NewDiagnostic(DiagRecordTooLarge, "1")},
		}}}).(*SearchResponse)
	if len(rec.Records.Records) != 2 || rec.Records.Records[1].Diagnostic.Condition != 17 || *rec.PresentStatus != 4 {
		t.Errorf("search response = %+v", rec)
	}
	multi := roundTrip(t, &SearchResponse{ResultSetStatus: IntPtr(ResultSetNone), Records: &Records{Diagnostics: []*Diagnostic{
		NewDiagnostic(114, "9999"), NewDiagnostic(235, "nodb")}}}).(*SearchResponse)
	if len(multi.Records.Diagnostics) != 2 || multi.Records.Diagnostics[1].Condition != 235 {
		t.Errorf("diagnostics = %+v", multi.Records)
	}
	pres := roundTrip(t, &PresentRequest{ResultSetID: "1", ResultSetStartPoint: 5, NumberOfRecordsRequested: 10,
		AdditionalRanges: []Range{{20, 2}}, ElementSetNames: GenericESN("marcxml"), PreferredRecordSyntax: OIDXML}).(*PresentRequest)
	if pres.ResultSetStartPoint != 5 || len(pres.AdditionalRanges) != 1 || pres.ElementSetNames.Name() != "marcxml" {
		t.Errorf("present = %+v", pres)
	}
	scan := roundTrip(t, &ScanResponse{ScanStatus: ScanPartial5, NumberOfEntriesReturned: 2, PositionOfTerm: IntPtr(1), Entries: []ScanEntry{
		{Term: GeneralTerm("computer"), DisplayTerm: "Computer", GlobalOccurrences: IntPtr(12)},
		{Diagnostic: NewDiagnostic(1, "x")},
	}}).(*ScanResponse)
	if len(scan.Entries) != 2 || scan.Entries[0].DisplayTerm != "Computer" || scan.Entries[1].Diagnostic == nil {
		t.Errorf("scan = %+v", scan)
	}
	roundTrip(t, &ScanRequest{DatabaseNames: []string{"Default"}, AttributeSet: OIDBib1Attributes,
		TermListAndStartPoint: AttributesPlusTerm{Attributes: []AttributeElement{{Type: 1, Value: 4}}, Term: GeneralTerm("comp")},
		StepSize:              IntPtr(0), NumberOfTermsRequested: 20, PreferredPositionInResponse: IntPtr(1)})
	sortReq := roundTrip(t, &SortRequest{InputResultSetNames: []string{"1"}, SortedResultSetName: "1", SortSequence: []SortKeySpec{
		{Key: SortKey{Kind: SortField, Field: "title"}, Relation: 1, MissingAction: MissingData, MissingValueData: []byte("zz")},
		{Databases: []string{"Default"}, DatabaseKeys: []SortKey{{Kind: SortAttributes, Attributes: []AttributeElement{{Type: 1, Value: 1003}}}}},
	}}).(*SortRequest)
	if sortReq.SortSequence[0].Key.Field != "title" || string(sortReq.SortSequence[0].MissingValueData) != "zz" || sortReq.SortSequence[1].DatabaseKeys[0].Attributes[0].Value != 1003 {
		t.Errorf("sort = %+v", sortReq)
	}
	roundTrip(t, &SortResponse{SortStatus: SortFailure, Diagnostics: []*Diagnostic{NewDiagnostic(207, "")}, ResultCount: IntPtr(0)})
	roundTrip(t, &DeleteResultSetRequest{DeleteFunction: DeleteAll})
	del := roundTrip(t, &DeleteResultSetResponse{DeleteOperationStatus: DeleteNotAllRequested,
		DeleteListStatuses: []DeleteStatus{{"1", DeleteSuccess}, {"9", DeleteNotExist}}}).(*DeleteResultSetResponse)
	if len(del.DeleteListStatuses) != 2 || del.DeleteListStatuses[1].Status != DeleteNotExist {
		t.Errorf("delete = %+v", del)
	}
	cl := roundTrip(t, &Close{ReferenceID: []byte{1}, CloseReason: CloseLackOfActivity, DiagnosticInformation: "idle"}).(*Close)
	if cl.CloseReason != CloseLackOfActivity || cl.DiagnosticInformation != "idle" {
		t.Errorf("close = %+v", cl)
	}
}

func TestOPACRoundTrip(t *testing.T) {
	r := &OPACRecord{
		Bibliographic: OctetRecord(OIDUSMARC, []byte("00026nam a2200037 a 4500")),
		Holdings: []HoldingsRecord{{Circ: &HoldingsAndCirc{
			LocalLocation: "Central", CallNumber: "891.7 TOL", Volumes: []Volume{{Enumeration: "v.1"}},
			Circulation: []CircRecord{
				{AvailableNow: true, ItemID: "000123", Renewable: true},
				{AvailableNow: false, AvailabilityDate: "2025-03-01", OnHold: true, ItemID: "000124"},
			},
		}}},
	}
	raw := Marshal(&PresentResponse{NumberOfRecordsReturned: 1, NextResultSetPosition: 2,
		Records: &Records{Records: []NamePlusRecord{{Database: "Default", Record: r.External()}}}})
	back := mustDecode(t, raw).(*PresentResponse)
	ext := back.Records.Records[0].Record
	if ext.DirectReference != OIDOPAC {
		t.Fatalf("syntax %s", ext.DirectReference)
	}
	got, err := ParseOPACRecord(ext.Single)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Holdings, r.Holdings) || !bytes.Equal(got.Bibliographic.Octets, r.Bibliographic.Octets) {
		t.Errorf("got %+v\nwant %+v", got.Holdings[0].Circ, r.Holdings[0].Circ)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		hex  string
	}{
		{"universal sequence", "30 00"},
		{"unknown tag", "BF 7F 00"},
		{"search without query", "B6 03 91 01 31"},
		{"init without version", "B4 03 85 01 00"},
		{"close without reason", "BF 30 00"},
		{"bad boolean", "B6 08 90 02 01 01 B5 02 A1 00"},
		{"attribute without value", "B6 1C B5 1A A1 18 06 07 2A 86 48 CE 13 03 01 A0 0D BF 66 0A BF 2C 05 30 03 9F 78 00 9F 2D 00"},
	}
	for _, tt := range tests {
		if _, err := Unmarshal(unhex(t, tt.hex), ber.Limits{}); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	// Access control and other unmodelled APDUs decode as UnsupportedPDU.
	p, err := Unmarshal(unhex(t, "BF 2E 03 82 01 07"), ber.Limits{})
	u, ok := p.(*UnsupportedPDU)
	if err != nil || !ok || u.Tag() != 46 || string(u.RefID()) != "\x07" {
		t.Errorf("extended services: %v %v", p, err)
	}
}

func TestSyntaxNames(t *testing.T) {
	for name, want := range map[string]ber.OID{"usmarc": OIDUSMARC, "USMARC": OIDUSMARC, "xml": OIDXML, "sutrs": OIDSUTRS,
		"opac": OIDOPAC, "1.2.840.10003.5.10": OIDUSMARC} {
		if got, ok := SyntaxByName(name); !ok || got != want {
			t.Errorf("%s -> %s", name, got)
		}
	}
	if _, ok := SyntaxByName("nonsense"); ok {
		t.Error("nonsense accepted")
	}
	if SyntaxName(OIDOPAC) != "opac" {
		t.Error("opac name")
	}
}
