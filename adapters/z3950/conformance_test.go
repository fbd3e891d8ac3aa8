package z3950adapter_test

// Z39.50 conformance transcripts: conformance/testdata/z3950/*.session,
// in the suite's transcript format (see conformance/doc.go): a header, "> "
// lines with the hex of the APDUs the client sends, "< " lines with the hex
// the server must answer, and under each APDU its ASN.1 rendering as "#|"
// comments. Consecutive hex lines of one direction are one stream of BER
// values; the replay splits it into APDUs by their lengths.
//
// TestZ3950Transcripts replays every transcript against the assembled
// server on the memory and the bolt store. With -update it first rewrites
// them from the scenarios below, run against the memory store; read the
// diff before committing.

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/conformance"
	"github.com/bibgate/bibgate/internal/ber"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/z3950"
)

var update = flag.Bool("update", false, "rewrite conformance/testdata/z3950 from the scenarios")

const transcriptDir = "../../conformance/testdata/z3950"

var berLimits = ber.Limits{MaxSize: 16 << 20}

// step is one exchange of a scenario.
type step struct {
	note    string    // a comment written before the request
	send    z3950.PDU // the request, or
	raw     []byte    // bytes sent as they are
	replies int       // APDUs the server answers (default 1)
	closed  bool      // the server must then close the connection
}

type scenario struct {
	name    string
	about   []string
	account string
	steps   []step
}

func initReq(ref string) *z3950.InitializeRequest {
	return &z3950.InitializeRequest{
		ReferenceID:     []byte(ref),
		ProtocolVersion: ber.Bits(z3950.Version1, z3950.Version2, z3950.Version3),
		Options: ber.Bits(z3950.OptSearch, z3950.OptPresent, z3950.OptDelSet, z3950.OptScan, z3950.OptSort,
			z3950.OptNamedResultSets, z3950.OptQueryType104),
		PreferredMessageSize: 1 << 20, ExceptionalRecordSize: 1 << 20,
		ImplementationID: "conformance", ImplementationName: "bibgate transcript", ImplementationVersion: "1",
	}
}

func sized(pms, ers int) *z3950.InitializeRequest {
	r := initReq("init")
	r.PreferredMessageSize, r.ExceptionalRecordSize = pms, ers
	return r
}

func withAuth(r *z3950.InitializeRequest, user, password string) *z3950.InitializeRequest {
	r.Auth = &z3950.IDAuthentication{Kind: z3950.AuthIDPass, UserID: user, Password: password}
	return r
}

func searchReq(ref, set, db, pqf string) *z3950.SearchRequest {
	q, err := z3950.ParsePQF(pqf)
	if err != nil {
		panic(err)
	}
	return &z3950.SearchRequest{ReferenceID: []byte(ref), LargeSetLowerBound: 1, ReplaceIndicator: true, ResultSetName: set,
		DatabaseNames: []string{db}, Query: z3950.Query{Kind: z3950.QueryRPN, RPN: q}}
}

func cqlSearch(ref, set, cql string) *z3950.SearchRequest {
	return &z3950.SearchRequest{ReferenceID: []byte(ref), LargeSetLowerBound: 1, ReplaceIndicator: true, ResultSetName: set,
		DatabaseNames: []string{"Default"}, Query: z3950.Query{Kind: z3950.QueryCQL, CQL: cql}}
}

func presentReq(ref, set string, start, n int, syntax ber.OID, esn string) *z3950.PresentRequest {
	return &z3950.PresentRequest{ReferenceID: []byte(ref), ResultSetID: set, ResultSetStartPoint: start,
		NumberOfRecordsRequested: n, PreferredRecordSyntax: syntax, ElementSetNames: z3950.GenericESN(esn)}
}

func closeReq() *z3950.Close { return &z3950.Close{CloseReason: z3950.CloseFinished} }

func sortAttr(use, relation int) z3950.SortKeySpec {
	return z3950.SortKeySpec{Key: z3950.SortKey{Kind: z3950.SortAttributes, AttributeSet: z3950.OIDBib1Attributes,
		Attributes: []z3950.AttributeElement{{Type: 1, Value: use}}}, Relation: relation, CaseSensitivity: 1}
}

func scanReq(ref, pqfTerm string, n, pos int) *z3950.ScanRequest {
	q, err := z3950.ParsePQF(pqfTerm)
	if err != nil {
		panic(err)
	}
	apt := q.Root.(*z3950.AttributesPlusTerm)
	step := 0
	return &z3950.ScanRequest{ReferenceID: []byte(ref), DatabaseNames: []string{"Default"}, AttributeSet: z3950.OIDBib1Attributes,
		TermListAndStartPoint: *apt, StepSize: &step, NumberOfTermsRequested: n, PreferredPositionInResponse: &pos}
}

var scenarios = []scenario{
	{name: "init-anonymous", about: []string{"An anonymous Init is accepted with the options both sides have;",
		"Close(finished) is answered with Close(finished) and the connection ends."},
		steps: []step{{send: initReq("i1")}, {send: closeReq(), closed: true}}},
	{name: "init-account", account: testUser, about: []string{"An Init with idPass credentials of a configured account."},
		steps: []step{{send: withAuth(initReq("i1"), testUser, testPassword)}, {send: closeReq(), closed: true}}},
	{name: "init-bad-password", about: []string{"A wrong password: result FALSE, Bib-1 1011 (addinfo the user) in a",
		"UserInfo-1 userInformationField, then the server closes."},
		steps: []step{{send: withAuth(initReq("i1"), testUser, "not-the-password"), closed: true}}},
	{name: "search-present", about: []string{"A title search (no piggyback), then Present in each record syntax:",
		"USMARC full and brief, MARCXML, SUTRS; the records are the demo catalogue's."},
		steps: []step{{send: initReq("i1")},
			{send: searchReq("s1", "1", "Default", "@attr 1=4 @attr 2=3 @attr 3=3 @attr 4=2 @attr 5=100 @attr 6=1 zeme")},
			{send: presentReq("p1", "1", 1, 1, z3950.OIDUSMARC, "F")},
			{send: presentReq("p2", "1", 1, 1, z3950.OIDUSMARC, "B")},
			{send: presentReq("p3", "1", 1, 1, z3950.OIDXML, "marcxml")},
			{send: presentReq("p4", "1", 1, 1, z3950.OIDSUTRS, "F")},
			{send: closeReq(), closed: true}}},
	{name: "search-piggyback", about: []string{"A ZOOM-style search (smallSetUpperBound 1, mediumSetPresentNumber 2) gets",
		"its records in the SearchResponse."},
		steps: []step{{send: initReq("i1")},
			{send: func() z3950.PDU {
				r := searchReq("s1", "default", "Default", "@attr 1=1018 jumava")
				r.SmallSetUpperBound, r.LargeSetLowerBound, r.MediumSetPresentNumber = 1, 1000, 2
				r.MediumSetElementSetNames = z3950.GenericESN("F")
				r.PreferredRecordSyntax = z3950.OIDUSMARC
				return r
			}()},
			{send: closeReq(), closed: true}}},
	{name: "present-opac", about: []string{"OPAC records carry live holdings: one holdingsAndCirc per library and call",
		"number, one circulation record per copy; copies on loan are not available and",
		"show their due date."},
		steps: []step{{send: initReq("i1")},
			{send: searchReq("s1", "1", "Default", "@attr 1=12 demo-0001")},
			{send: presentReq("p1", "1", 1, 1, z3950.OIDOPAC, "F")},
			{send: closeReq(), closed: true}}},
	{name: "search-cql", about: []string{"A type-104 CQL query with sortBy; the first record is the newer one."},
		steps: []step{{send: initReq("i1")},
			{send: cqlSearch("s1", "1", "dc.publisher=jumava sortBy dc.date/sort.descending")},
			{send: presentReq("p1", "1", 1, 1, z3950.OIDSUTRS, "B")},
			{send: closeReq(), closed: true}}},
	{name: "scan", about: []string{"Scan of the title index from \"kal\", start term first."},
		steps: []step{{send: initReq("i1")},
			{send: scanReq("sc1", "@attr 1=4 kal", 5, 1)},
			{send: scanReq("sc2", "@attr 1=1003 @attr 3=1 @attr 4=1 @attr 6=3 grīns", 3, 2)},
			{send: closeReq(), closed: true}}},
	{name: "sort", about: []string{"Sort by title ascending into a new set, by date descending in place, and an",
		"unsortable key (subject): diagnostic 207."},
		steps: []step{{send: initReq("i1")},
			{send: searchReq("s1", "1", "Default", "@attr 1=1018 jumava")},
			{send: &z3950.SortRequest{ReferenceID: []byte("so1"), InputResultSetNames: []string{"1"}, SortedResultSetName: "2",
				SortSequence: []z3950.SortKeySpec{sortAttr(4, 0)}}},
			{send: presentReq("p1", "2", 1, 1, z3950.OIDSUTRS, "B")},
			{send: &z3950.SortRequest{ReferenceID: []byte("so2"), InputResultSetNames: []string{"1"}, SortedResultSetName: "1",
				SortSequence: []z3950.SortKeySpec{sortAttr(31, 1)}}},
			{send: presentReq("p2", "1", 1, 1, z3950.OIDSUTRS, "B")},
			{send: &z3950.SortRequest{ReferenceID: []byte("so3"), InputResultSetNames: []string{"1"}, SortedResultSetName: "3",
				SortSequence: []z3950.SortKeySpec{sortAttr(21, 0)}}},
			{send: closeReq(), closed: true}}},
	{name: "delete", about: []string{"Delete one result set, present from it (30), delete one that does not exist,",
		"delete all."},
		steps: []step{{send: initReq("i1")},
			{send: searchReq("s1", "a", "Default", "zeme")},
			{send: searchReq("s2", "b", "Default", "kalevipoeg")},
			{send: &z3950.DeleteResultSetRequest{ReferenceID: []byte("d1"), DeleteFunction: z3950.DeleteList, ResultSetList: []string{"a"}}},
			{send: presentReq("p1", "a", 1, 1, z3950.OIDUSMARC, "F")},
			{send: &z3950.DeleteResultSetRequest{ReferenceID: []byte("d2"), DeleteFunction: z3950.DeleteList, ResultSetList: []string{"zz"}}},
			{send: &z3950.DeleteResultSetRequest{ReferenceID: []byte("d3"), DeleteFunction: z3950.DeleteAll}},
			{send: presentReq("p2", "b", 1, 1, z3950.OIDUSMARC, "F")},
			{send: closeReq(), closed: true}}},
	{name: "diag-unsupported-use", about: []string{"An unknown use attribute is Bib-1 114 with the value as addinfo; an unknown",
		"attribute type 113; an unknown database 109."},
		steps: []step{{send: initReq("i1")},
			{send: searchReq("s1", "1", "Default", "@attr 1=9999 x")},
			{send: searchReq("s2", "1", "Default", "@attr 9=1 x")},
			{send: searchReq("s3", "1", "Nowhere", "x")},
			{send: closeReq(), closed: true}}},
	{name: "diag-malformed-query", about: []string{"A CQL query that does not parse is Bib-1 108; an unsupported truncation 120."},
		steps: []step{{send: initReq("i1")},
			{send: cqlSearch("s1", "1", "(dc.title=")},
			{send: searchReq("s2", "1", "Default", "@attr 1=4 @attr 5=99 x")},
			{send: closeReq(), closed: true}}},
	{name: "diag-unknown-result-set", about: []string{"Present from a result set that was never made: 30."},
		steps: []step{{send: initReq("i1")},
			{send: presentReq("p1", "nosuch", 1, 1, z3950.OIDUSMARC, "F")},
			{send: closeReq(), closed: true}}},
	{name: "diag-present-out-of-range", about: []string{"Present past the end of the set: 13 and presentStatus failure; an unknown",
		"element set 25; an unsupported record syntax 239."},
		steps: []step{{send: initReq("i1")},
			{send: searchReq("s1", "1", "Default", "zeme")},
			{send: presentReq("p1", "1", 2, 1, z3950.OIDUSMARC, "F")},
			{send: presentReq("p2", "1", 1, 1, z3950.OIDUSMARC, "nope")},
			{send: presentReq("p3", "1", 1, 1, "1.2.840.10003.5.1000.81.3", "F")},
			{send: closeReq(), closed: true}}},
	{name: "diag-record-too-large", about: []string{"preferredMessageSize 128, exceptionalRecordSize 4096: two records asked",
		"for come as surrogate diagnostics 16; one alone is sent."},
		steps: []step{{send: sized(128, 4096)},
			{send: searchReq("s1", "1", "Default", "@attr 1=1018 jumava")},
			{send: presentReq("p1", "1", 1, 2, z3950.OIDUSMARC, "F")},
			{send: presentReq("p2", "1", 1, 1, z3950.OIDUSMARC, "F")},
			{send: closeReq(), closed: true}}},
	{name: "diag-record-exceeds-maximum", about: []string{"exceptionalRecordSize 200: a record larger than that is surrogate 17."},
		steps: []step{{send: sized(200, 200)},
			{send: searchReq("s1", "1", "Default", "zeme")},
			{send: presentReq("p1", "1", 1, 1, z3950.OIDUSMARC, "F")},
			{send: closeReq(), closed: true}}},
	{name: "malformed-apdu", about: []string{"Bytes that are BER but no APDU: Close(protocolError), then the connection ends."},
		steps: []step{{send: initReq("i1")},
			{raw: []byte{0x30, 0x03, 0x02, 0x01, 0x00}, closed: true}}},
}

// The replay environment.

func startForTranscript(t *testing.T, store string, tr *conformance.Transcript) net.Addr {
	t.Helper()
	clock := checkHeaders(t, tr)
	a := startAppAt(t, store, clock, func(c *config.Config) { c.SRU.Listen = "" })
	return a.Addr("z3950")
}

// checkHeaders checks what a transcript needs of the server and returns
// its clock.
func checkHeaders(t *testing.T, tr *conformance.Transcript) time.Time {
	t.Helper()
	clock, ok, err := tr.Clock()
	if err != nil || !ok {
		t.Fatalf("%s: clock header: %v", tr.Name, err)
	}
	if f := tr.Header(conformance.KeyFixtures); f != "demo" {
		t.Fatalf("%s: fixtures %q: only the demo data set exists", tr.Name, f)
	}
	if acct := tr.Header(conformance.KeyAccount); acct != "" && acct != testUser {
		t.Fatalf("%s: account %q is not configured", tr.Name, acct)
	}
	return clock
}

// block is the bytes of consecutive "> " or "< " lines.
type block struct {
	send  bool
	data  []byte
	line  int
	close bool // "# expect: closed" follows
}

func blocks(t *testing.T, tr *conformance.Transcript) []block {
	t.Helper()
	var out []block
	for _, l := range tr.Lines {
		switch l.Kind {
		case conformance.Send, conformance.Expect:
			b, err := hex.DecodeString(strings.ReplaceAll(l.Text, " ", ""))
			if err != nil {
				t.Fatalf("%s:%d: not hex: %v", tr.Name, l.No, err)
			}
			send := l.Kind == conformance.Send
			if n := len(out); n > 0 && out[n-1].send == send && !out[n-1].close {
				out[n-1].data = append(out[n-1].data, b...)
				continue
			}
			out = append(out, block{send: send, data: b, line: l.No})
		case conformance.Comment:
			if l.Key == conformance.KeyExpect && l.Value == "closed" {
				if len(out) == 0 {
					t.Fatalf("%s:%d: expect closed before any message", tr.Name, l.No)
				}
				out[len(out)-1].close = true
			}
		}
	}
	return out
}

// splitAPDUs cuts a byte stream into BER values.
func splitAPDUs(b []byte) ([][]byte, error) {
	var out [][]byte
	for len(b) > 0 {
		_, n, err := ber.Parse(b, berLimits)
		if err != nil {
			return nil, err
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out, nil
}

func replay(t *testing.T, addr net.Addr, tr *conformance.Transcript) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr.String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	rd := ber.NewReader(bufio.NewReader(nc), berLimits)
	for _, b := range blocks(t, tr) {
		if b.send {
			nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
			if _, err := nc.Write(b.data); err != nil {
				t.Fatalf("%s:%d: send: %v", tr.Name, b.line, err)
			}
		} else {
			want, err := splitAPDUs(b.data)
			if err != nil {
				t.Fatalf("%s:%d: expected bytes are not BER: %v", tr.Name, b.line, err)
			}
			for i, w := range want {
				nc.SetReadDeadline(time.Now().Add(5 * time.Second))
				got, err := rd.ReadRaw()
				if err != nil {
					t.Fatalf("%s:%d: APDU %d: read: %v", tr.Name, b.line, i+1, err)
				}
				if !bytes.Equal(got, w) {
					t.Fatalf("%s:%d: APDU %d differs:\n%s", tr.Name, b.line, i+1, renderDiff(dumpPDU(w), dumpPDU(got)))
				}
			}
		}
		if b.close {
			nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			extra, err := rd.ReadRaw()
			if err == nil {
				t.Fatalf("%s:%d: the server should have closed the connection; it sent:\n%s", tr.Name, b.line,
					strings.Join(dumpPDU(extra), "\n"))
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("%s:%d: the server kept the connection open", tr.Name, b.line)
			}
		}
	}
}

// renderDiff shows expected and actual renderings line by line.
func renderDiff(want, got []string) string {
	var b strings.Builder
	for i := 0; i < max(len(want), len(got)); i++ {
		w, g := "", ""
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w == g {
			fmt.Fprintf(&b, "   %s\n", w)
			continue
		}
		fmt.Fprintf(&b, " - %s\n + %s\n", w, g)
	}
	return b.String()
}

func loadTranscripts(t *testing.T) []*conformance.Transcript {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(transcriptDir, "*.session"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts in %s (%v)", transcriptDir, err)
	}
	var out []*conformance.Transcript
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := conformance.ParseTranscript(filepath.Base(f), bytes.NewReader(src))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tr)
	}
	return out
}

func TestZ3950Transcripts(t *testing.T) {
	if *update {
		writeTranscripts(t)
	}
	trs := loadTranscripts(t)
	names := make([]string, len(trs))
	for i, tr := range trs {
		names[i] = strings.TrimSuffix(tr.Name, ".session")
		if tr.Header(conformance.KeyProtocol) != "z3950" {
			t.Errorf("%s: protocol header is %q", tr.Name, tr.Header(conformance.KeyProtocol))
		}
	}
	for _, sc := range scenarios {
		if !slices.Contains(names, sc.name) {
			t.Errorf("scenario %s has no transcript (run with -update)", sc.name)
		}
	}
	// Transcripts change nothing on the server (result sets live and die
	// with their connection), so those with the same clock share one.
	for _, store := range []string{"memory", "bolt"} {
		t.Run(store, func(t *testing.T) {
			servers := map[string]net.Addr{}
			for _, tr := range trs {
				clock := tr.Header(conformance.KeyClock)
				if servers[clock] == nil {
					servers[clock] = startForTranscript(t, store, tr)
				}
				t.Run(strings.TrimSuffix(tr.Name, ".session"), func(t *testing.T) {
					checkHeaders(t, tr)
					replay(t, servers[clock], tr)
				})
			}
		})
	}
}

// Writing transcripts from the scenarios.

func writeTranscripts(t *testing.T) {
	t.Helper()
	if err := os.MkdirAll(transcriptDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarios {
		a := startAppAt(t, "memory", testClock, func(c *config.Config) { c.SRU.Listen = "" })
		var b strings.Builder
		fmt.Fprintf(&b, "# protocol: z3950\n# clock: %s\n# fixtures: demo\n", testClock.Format(time.RFC3339))
		if sc.account != "" {
			fmt.Fprintf(&b, "# account: %s\n", sc.account)
		}
		for _, l := range sc.about {
			fmt.Fprintf(&b, "# %s\n", l)
		}
		if err := record(&b, a.Addr("z3950"), sc); err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		if err := os.WriteFile(filepath.Join(transcriptDir, sc.name+".session"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func record(w io.Writer, addr net.Addr, sc scenario) error {
	nc, err := net.DialTimeout("tcp", addr.String(), 5*time.Second)
	if err != nil {
		return err
	}
	defer nc.Close()
	rd := ber.NewReader(bufio.NewReader(nc), berLimits)
	for _, st := range sc.steps {
		if st.note != "" {
			fmt.Fprintf(w, "# %s\n", st.note)
		}
		out := st.raw
		if st.send != nil {
			out = z3950.Marshal(st.send)
		}
		writeHex(w, ">", out)
		if _, err := nc.Write(out); err != nil {
			return err
		}
		n := st.replies
		if n == 0 {
			n = 1
		}
		for range n {
			nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			resp, err := rd.ReadRaw()
			if err != nil {
				return fmt.Errorf("reading the answer: %w", err)
			}
			writeHex(w, "<", resp)
		}
		if st.closed {
			nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := rd.ReadRaw(); err == nil {
				return errors.New("the server did not close the connection")
			}
			fmt.Fprintln(w, "# expect: closed")
		}
	}
	return nil
}

// writeHex writes one APDU as hex lines of 32 octets and its rendering.
func writeHex(w io.Writer, dir string, b []byte) {
	for i := 0; i < len(b); i += 32 {
		chunk := b[i:min(i+32, len(b))]
		fmt.Fprintf(w, "%s % X\n", dir, chunk)
	}
	for _, l := range dumpPDU(b) {
		fmt.Fprintf(w, "#| %s\n", l)
	}
}
