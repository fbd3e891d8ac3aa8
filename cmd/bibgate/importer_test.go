package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2client"
)

// importerConfig writes a configuration over the demo consortium with a
// selfcheck account and the given [holdings] section.
func importerConfig(t *testing.T, dir, name, holdings string) string {
	t.Helper()
	src := fmt.Sprintf(`data_dir = %q
[demo]
load = true
[[sip2.account]]
login = "sc"
password = "pw"
library = "ILU"
institution = "ILU"
location = "ILU"
%s
`, filepath.Join(dir, "data"), holdings)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const kohaHoldings = `[holdings]
format = "koha"
[holdings.libraries]
CPL = "ILU"
SUB = "SUB"
[holdings.types]
BK = "book"
REF = "reference"
`

// drain keeps reading a server's log so it never blocks, and keeps it.
type drain struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (d *drain) run(s *bufio.Scanner) {
	for s.Scan() {
		d.mu.Lock()
		d.buf.Write(s.Bytes())
		d.buf.WriteByte('\n')
		d.mu.Unlock()
	}
}

func (d *drain) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.buf.String()
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb strings.Builder
	if code := run(context.Background(), args, &out, &errb); code != 0 {
		t.Fatalf("bibgate %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return out.String()
}

func yaz(t *testing.T, commands ...string) string {
	t.Helper()
	path, err := exec.LookPath("yaz-client")
	if err != nil {
		t.Skip("yaz-client not installed (apt-get install yaz); skipping the Z39.50 holdings check")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	cmd.Stdin = strings.NewReader(strings.Join(append(commands, "quit"), "\n") + "\n")
	out, _ := cmd.CombinedOutput()
	return string(out)
}

func sip2Login(t *testing.T, addr string) *sip2client.Client {
	t.Helper()
	c, err := sip2client.Dial(context.Background(), addr, sip2client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(context.Background(), "sc", "pw", "ILU"); err != nil {
		t.Fatal(err)
	}
	return c
}

// A Koha export with 952 copies and a MARC 21 file with 852/876: the
// copies exist, a selfcheck lends one over SIP2, Z39.50 OPAC holdings show
// it on loan, and importing the export again keeps the loan.
func TestImportCopiesFromMARCHoldings(t *testing.T) {
	dir := t.TempDir()
	koha := importerConfig(t, dir, "koha.toml", kohaHoldings)
	m21 := importerConfig(t, dir, "m21.toml", "[holdings]\nformat = \"marc21\"\n")
	out := runOK(t, "import", "--config", koha, "-q", "testdata/koha-952.mrc")
	for _, want := range []string{"3 records stored", "copies: 5 created or updated, 2 not imported",
		`record 2 (koha-2), field 952 #2: copy K0000004: unknown library code "XYZ" in $b`,
		`record 2 (koha-2), field 952 #3: copy K0000005: unknown item type "DVD" in $y`} {
		if !strings.Contains(out, want) {
			t.Errorf("koha import output lacks %q:\n%s", want, out)
		}
	}
	out = runOK(t, "import", "--config", m21, "-q", "testdata/marc21-852-876.mrc")
	if !strings.Contains(out, "copies: 4 created or updated, 0 not imported") {
		t.Errorf("MARC 21 import:\n%s", out)
	}

	t.Setenv("BIBGATE_ADMIN_TOKEN", "importer-test-token") // the server and import --server share it
	cmd, logs := bibgate(t, dir, "serve", "--config", koha, "--admin", "127.0.0.1:0", "--sip2", "127.0.0.1:0",
		"--z3950", "127.0.0.1:0", "--log-format", "json")
	admin := waitListening(t, logs, "admin")
	sipAddr := waitListening(t, logs, "sip2")
	z := waitListening(t, logs, "z3950")
	var d drain
	go d.run(logs)

	c := sip2Login(t, sipAddr)
	ctx := context.Background()
	for _, item := range []string{"K0000001", "M0000001"} {
		resp, err := c.Send(ctx, &sip2.CheckoutRequest{InstitutionID: "ILU", PatronID: "P0001", ItemID: item, PatronPassword: sip2.String("1234")})
		if err != nil {
			t.Fatal(err)
		}
		if co := resp.(*sip2.CheckoutResponse); !co.OK {
			t.Fatalf("checkout of imported copy %s refused: %+v", item, co)
		}
	}
	onLoan := regexp.MustCompile(`availableNow: 0\n availabiltyDate: [0-9-]+\n itemId: K0000001`)
	opac := func() string {
		return yaz(t, "charset UTF-8", "open tcp:"+z+"/Default", "find @attr 1=12 koha-1", "format opac", "show 1+1")
	}
	got := opac()
	if !onLoan.MatchString(got) || !strings.Contains(got, "availableNow: 1\n itemId: K0000002") ||
		!strings.Contains(got, "callNumber: 821.174 Up 1") {
		t.Fatalf("OPAC holdings do not show K0000001 on loan and K0000002 on the shelf:\n%s", got)
	}
	// Re-import through the running server: the loan stays.
	out = runOK(t, "import", "--server", "http://"+admin, "testdata/koha-952.mrc")
	if !strings.Contains(out, "copies: 5 created or updated") {
		t.Errorf("import --server:\n%s", out)
	}
	if got := opac(); !onLoan.MatchString(got) {
		t.Errorf("after re-import K0000001 is no longer on loan:\n%s", got)
	}
	resp, err := c.Send(ctx, &sip2.ItemInformationRequest{InstitutionID: "ILU", ItemID: "K0000001"})
	if err != nil {
		t.Fatal(err)
	}
	if ii := resp.(*sip2.ItemInformationResponse); ii.CirculationStatus != sip2.CirculationCharged {
		t.Errorf("SIP2 item information after re-import: %+v", ii)
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("stop: %v", err)
	}
	// Offline re-import too, then the copy's §19 record.
	runOK(t, "import", "--config", koha, "-q", "testdata/koha-952.mrc")
	show := runOK(t, "items", "show", "--config", koha, "K0000001")
	for _, want := range []string{"Entry date (§19.1)              2019-03-04", "Inventory number (§19.2)        INV-2019-0001",
		"Shelf mark (§19.6)              821.174 Up 1", "Value EUR (§19.7)               14.50", "Status                          on_loan",
		"Holding branch (§19.5)          ILU (Ilūkstes novada centrālā bibliotēka)"} {
		if !strings.Contains(show, want) {
			t.Errorf("items show lacks %q:\n%s", want, show)
		}
	}
}

// 1,000 patron lines with 20 bad ones of different kinds, imported through
// the running server: 980 in, the 20 reported by line and column, none of
// them half-written; a selfcheck's 23 for an imported patron answers with
// the name; no PIN is in the log, even at debug level.
func TestImportPatronsCSVIntoServer(t *testing.T) {
	dir := t.TempDir()
	cfg := importerConfig(t, dir, "b.toml", "")
	hash, err := bcrypt.GenerateFromPassword([]byte("Koha-5151"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	kohaHash := "$2a$" + string(hash[4:])
	var b strings.Builder
	b.WriteString("card,first_name,last_name,birth_date,email,home_library,resident,personal_code,pin,pin_hash\n")
	bad := []struct{ line, col string }{
		{",A,B,,,ILU,,,,", "card"}, {"Q 1,A,B,,,ILU,,,,", "card"}, {"R000001,A,B,,,ILU,,,,", "card"},
		{"Q3,,,,,ILU,,,,", "last_name"}, {"Q4,A,B,1.1.90,,ILU,,,,", "birth_date"}, {"Q5,A,B,2090-01-01,,ILU,,,,", "birth_date"},
		{"Q6,A,B,,a@b,ILU,,,,", "email"}, {"Q7,A,B,,,XXX,,,,", "home_library"}, {"Q8,A,B,,,,,,,", "home_library"},
		{"Q9,A,B,,,ILU,perhaps,,,", "resident"}, {"Q10,A,B,,,ILU,,abc,,", "personal_code"}, {"Q11,A,B,,,ILU,,,Pq,", "pin"},
		{"Q12,A,B,,,ILU,,,Secret-both," + kohaHash, "pin"}, {"Q13,A,B,,,ILU,,,,md5:abc", "pin_hash"},
		{"Q14,A,B,,,ILU,,,,$2a$08$short", "pin_hash"}, {"Q15,A,B,,,ILU", ""}, {"Q16,A,B,,,ILU,,,,,,", ""},
		{"Q17,A,B,,liga at example.org,ILU,,,,", "email"}, {"Q18,A,B,,,ILU,,12345678901234,,", "personal_code"},
		{"Q19,A,B,,,ILU,,,\"Secret-quote,", ""},
	}
	badAt := map[int]string{}
	line, k := 1, 0
	for n := 0; n < 999; n++ {
		line++
		if n%50 == 25 && k < len(bad)-1 {
			b.WriteString(bad[k].line + "\n")
			badAt[line] = bad[k].col
			k++
			continue
		}
		pin, ph := "", kohaHash
		if n%100 == 0 {
			pin, ph = fmt.Sprintf("Secret-%d", n), ""
		}
		fmt.Fprintf(&b, "R%06d,Līga,Kalniņa %d,1985-02-03,liga%d@example.org,ILU,yes,,%s,%s\n", n, n, n, pin, ph)
	}
	line++
	b.WriteString(bad[len(bad)-1].line + "\n") // an unterminated quote runs to the end: last
	badAt[line] = ""
	csvPath := filepath.Join(dir, "patrons.csv")
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if len(badAt) != 20 || line != 1001 {
		t.Fatalf("fixture: %d bad lines, %d lines", len(badAt), line)
	}
	// A dry run first: the report, nothing written.
	t.Setenv("BIBGATE_ADMIN_TOKEN", "importer-test-token") // the server and import --server share it
	cmd, logs := bibgate(t, dir, "serve", "--config", cfg, "--admin", "127.0.0.1:0", "--sip2", "127.0.0.1:0",
		"--z3950", "off", "--log-format", "json", "--log-level", "debug")
	admin := waitListening(t, logs, "admin")
	sipAddr := waitListening(t, logs, "sip2")
	var d drain
	go d.run(logs)
	dry := runOK(t, "patrons", "import", "--server", "http://"+admin, "--dry-run", csvPath)
	if !strings.Contains(dry, "dry run: nothing written") || !strings.Contains(dry, "980 patrons would be imported (980 new, 0 updated), 20 rejected") {
		t.Errorf("dry run:\n%s", dry)
	}
	out := runOK(t, "patrons", "import", "--server", "http://"+admin, csvPath)
	if !strings.Contains(out, "1000 lines, 980 patrons imported (980 new, 0 updated), 20 rejected") {
		t.Errorf("import report:\n%s", out)
	}
	lineRE := regexp.MustCompile(`(?m)^  line (\d+)(?:, column (\w+))?: `)
	seen := 0
	for _, m := range lineRE.FindAllStringSubmatch(out, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		col, ok := badAt[n]
		if !ok {
			t.Errorf("good line %d reported: %s", n, m[0])
			continue
		}
		if m[2] != col {
			t.Errorf("line %d: column %q, want %q", n, m[2], col)
		}
		seen++
	}
	if seen != 20 {
		t.Errorf("%d lines reported, want 20:\n%s", seen, out)
	}
	c := sip2Login(t, sipAddr)
	ctx := context.Background()
	for _, tt := range []struct{ card, pin, name string }{
		{"R000100", "Secret-100", "Līga Kalniņa 100"}, // PIN hashed on import
		{"R000101", "Koha-5151", "Līga Kalniņa 101"},  // Koha's bcrypt hash kept
	} {
		resp, err := c.Send(ctx, &sip2.PatronStatusRequest{InstitutionID: "ILU", PatronID: tt.card, PatronPassword: sip2.String(tt.pin)})
		if err != nil {
			t.Fatal(err)
		}
		ps := resp.(*sip2.PatronStatusResponse)
		if ps.PersonalName != tt.name || ps.ValidPatron == nil || !*ps.ValidPatron || ps.ValidPatronPassword == nil || !*ps.ValidPatronPassword {
			t.Errorf("23 for %s: name %q valid %v PIN valid %v", tt.card, ps.PersonalName, ps.ValidPatron, ps.ValidPatronPassword)
		}
	}
	// Rejected lines left nothing behind.
	resp, err := c.Send(ctx, &sip2.PatronStatusRequest{InstitutionID: "ILU", PatronID: "Q12", PatronPassword: sip2.String("x")})
	if err != nil {
		t.Fatal(err)
	}
	if ps := resp.(*sip2.PatronStatusResponse); ps.ValidPatron != nil && *ps.ValidPatron {
		t.Errorf("rejected line Q12 was stored: %+v", ps)
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("stop: %v", err)
	}
	logText := d.String()
	for _, secret := range []string{"Secret-", "Koha-5151", "Pq,"} {
		if strings.Contains(logText, secret) || strings.Contains(out, secret) || strings.Contains(dry, secret) {
			t.Errorf("a PIN (%s...) appears in the log or the report", secret)
		}
	}
	if !strings.Contains(logText, `"imported":980`) {
		t.Errorf("the import is not in the log:\n%s", logText)
	}
	// Export round trip: the file imports again into a fresh data dir.
	exp := runOK(t, "patrons", "export", "--config", cfg)
	if !strings.Contains(exp, "R000998,Līga Kalniņa 998,1985-02-03,,liga998@example.org,,ILU,adult,yes,yes,,$2a$") {
		t.Errorf("export lacks an imported patron:\n%.500s", exp)
	}
	if strings.Contains(exp, "Secret-") {
		t.Error("export contains a PIN")
	}
}
