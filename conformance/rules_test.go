package conformance

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/sip2"
)

// withAZ appends a correct AZ checksum to a message ending in "AY<n>" or "|".
func withAZ(msg string) string {
	return msg + "AZ" + hex4(sip2.Checksum([]byte(msg+"AZ")))
}

func TestMaskSIP2(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"patron status date", "24              00020261102    101502AOILU|AAP0001|AEX|BLY|",
			"24              000YYYYMMDDZZZZHHMMSSAOILU|AAP0001|AEX|BLY|"},
		{"checkout date after four flags", "121NNY20261102    101502AOILU|AAP0001|ABI1|AJT|AH20261202    235959|",
			"121NNYYYYYMMDDZZZZHHMMSSAOILU|AAP0001|ABI1|AJT|AH20261202    235959|"},
		{"UTC date", "36Y20261102   Z081502AOILU|AAP1|", "36YYYYYMMDDZZZZHHMMSSAOILU|AAP1|"},
		{"98 date/time sync", "98YYYNNN03000320261102    101502" + "2.00AOILU|BXYYYYYYYYYYYYYYYY|",
			"98YYYNNN030003YYYYMMDDZZZZHHMMSS2.00AOILU|BXYYYYYYYYYYYYYYYY|"},
		{"18 date after three codes", "1803020120261102    101502AB1|AJ|", "18030201YYYYMMDDZZZZHHMMSSAB1|AJ|"},
		{"no date in 94", "941", "941"},
		{"96 has none", "96AZFEF6", "96AZFEF6"},
		{"requests are not masked", "2300020261102    101502AOILU|AAP1|AC|AD1|", "2300020261102    101502AOILU|AAP1|AC|AD1|"},
		{"too short to hold the date", "24     ", "24     "},
		{"unknown code", "XY20261102    101502", "XY20261102    101502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MaskSIP2(tt.in); got != tt.want {
				t.Errorf("MaskSIP2(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskSIP2Checksum(t *testing.T) {
	in := withAZ("24              00020261102    101502AOILU|AAP0001|AEJānis|BLY|AY3")
	got := MaskSIP2(in)
	want := withAZ("24              000" + DatePlaceholder + "AOILU|AAP0001|AEJānis|BLY|AY3")
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if err := CheckSIP2Checksum(got); err != nil {
		t.Errorf("masked line does not verify: %v", err)
	}
	if MaskSIP2(got) != got {
		t.Error("MaskSIP2 is not idempotent")
	}
	// Two responses that differ only in their dates mask to the same line.
	other := withAZ("24              00020270101    000000AOILU|AAP0001|AEJānis|BLY|AY3")
	if MaskSIP2(other) != got {
		t.Errorf("responses differing only in the date mask differently:\n%q\n%q", MaskSIP2(other), got)
	}
}

func TestCheckSIP2Checksum(t *testing.T) {
	good := withAZ("941AY1")
	if good != "941AY1AZFDFC" {
		t.Fatalf("reference vector: got %q", good)
	}
	if err := CheckSIP2Checksum(good); err != nil {
		t.Errorf("good checksum rejected: %v", err)
	}
	if err := CheckSIP2Checksum("941AY1AZFDFD"); err == nil {
		t.Error("bad checksum accepted")
	}
	if err := CheckSIP2Checksum("941"); err != nil {
		t.Errorf("no trailer: %v", err)
	}
}

func TestMaskAndSubstituteSecrets(t *testing.T) {
	secrets := Secrets{LoginPassword: "demo", TerminalPassword: "term", PatronPassword: "1234"}
	tests := []struct {
		name, in, masked, replayed string
	}{
		{"login", "9300CNdemo|COdemo|CPILU|", "9300CNdemo|CO****|CPILU|", "9300CNdemo|COdemo|CPILU|"},
		{"login with checksum", withAZ("9300CNdemo|COsecret|CPILU|AY0"), withAZ("9300CNdemo|CO****|CPILU|AY0"),
			withAZ("9300CNdemo|COdemo|CPILU|AY0")},
		{"patron status", "2300020261102    100000AOILU|AAP0001|ACpw|AD4321|",
			"2300020261102    100000AOILU|AAP0001|AC****|AD****|", "2300020261102    100000AOILU|AAP0001|ACterm|AD1234|"},
		{"empty secrets stay empty", "2300020261102    100000AOILU|AAP0001|AC|AD|",
			"2300020261102    100000AOILU|AAP0001|AC|AD|", "2300020261102    100000AOILU|AAP0001|AC|AD|"},
		{"first field right after the fixed part", "3520261102    100000AD9|AOILU|AAP1|",
			"3520261102    100000AD****|AOILU|AAP1|", "3520261102    100000AD1234|AOILU|AAP1|"},
		{"a wrong checksum stays wrong", "9300CNdemo|COdemo|CPILU|AY0AZ0000", "9300CNdemo|CO****|CPILU|AY0AZ0000",
			"9300CNdemo|COdemo|CPILU|AY0AZ0000"},
		{"no secrets", "1720261102    100000AOILU|ABI1|", "1720261102    100000AOILU|ABI1|", "1720261102    100000AOILU|ABI1|"},
		{"responses are left alone", "24              000" + DatePlaceholder + "AOILU|AAP1|AEx|", "24              000" + DatePlaceholder + "AOILU|AAP1|AEx|", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := MaskSIP2Secrets(tt.in)
			if m != tt.masked {
				t.Errorf("MaskSIP2Secrets(%q)\n got %q\nwant %q", tt.in, m, tt.masked)
			}
			if tt.replayed == "" {
				return
			}
			if r := SubstituteSIP2Secrets(m, secrets); r != tt.replayed {
				t.Errorf("SubstituteSIP2Secrets(%q)\n got %q\nwant %q", m, r, tt.replayed)
			}
		})
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	tests := []struct{ msg, text string }{
		{"24AEJānis|", "24AEJānis|"},
		{`AFa\b|`, `AFa\\b|`},
		{"AF\xe2\xfe|", `AF\xE2\xFE|`},
		{"AF\r\n|", `AF\x0D\x0A|`},
		{"99 trailing ", `99 trailing\x20`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Escape(tt.msg); got != tt.text {
			t.Errorf("Escape(%q) = %q, want %q", tt.msg, got, tt.text)
		}
		back, err := Unescape(tt.text)
		if err != nil || back != tt.msg {
			t.Errorf("Unescape(%q) = %q, %v; want %q", tt.text, back, err, tt.msg)
		}
	}
	for _, bad := range []string{`\q`, `\x1`, `\xZZ`, `ends with \`} {
		if _, err := Unescape(bad); err == nil {
			t.Errorf("Unescape(%q) accepted", bad)
		}
	}
}

func TestParseTranscript(t *testing.T) {
	src := "# protocol: sip2\n# clock: 2026-11-02T10:00:00+02:00\n# fixtures: demo\n# Note: any prose.\n" +
		"\n> 9300CNdemo|COdemo|\n< 941\n# advance: 24h\n# expect: closed\n"
	tr, err := ParseTranscript("x", strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if tr.Header(KeyProtocol) != "sip2" || tr.Header(KeyFixtures) != "demo" || tr.Header(KeyAdvance) != "" {
		t.Errorf("headers: protocol %q fixtures %q advance %q", tr.Header(KeyProtocol), tr.Header(KeyFixtures), tr.Header(KeyAdvance))
	}
	c, ok, err := tr.Clock()
	if err != nil || !ok || c.Format("2006-01-02 15:04 -0700") != "2026-11-02 10:00 +0200" {
		t.Errorf("clock %v %v %v", c, ok, err)
	}
	kinds := []Kind{Comment, Comment, Comment, Comment, Blank, Send, Expect, Comment, Comment}
	if len(tr.Lines) != len(kinds) {
		t.Fatalf("%d lines, want %d", len(tr.Lines), len(kinds))
	}
	for i, k := range kinds {
		if tr.Lines[i].Kind != k {
			t.Errorf("line %d kind %d, want %d", i+1, tr.Lines[i].Kind, k)
		}
	}
	if got := tr.Format(); !bytes.Equal(got, []byte(src)) {
		t.Errorf("Format does not give the source back:\n%s", got)
	}

	for _, bad := range []string{
		"9300CNdemo\n",          // not a transcript line
		"# advnce: 24h\n",       // misspelt directive
		"# advance: soon\n",     // not a duration
		"# expect: an answer\n", // only "closed"
		"# clock: yesterday\n",  // not RFC 3339
		"> 23\\q\n",             // bad escape
		"# staff: ship\n",       // no transaction
		"# staff: ship TQ1\n",   // not a tuple
	} {
		if _, err := ParseTranscript("bad", strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestDiffSIP2(t *testing.T) {
	want := "121NNY" + DatePlaceholder + "AOILU|AAP0001|ABI000001|AJZaļā zeme|AH20261202    235959|CK001|AY1"
	tests := []struct {
		name, got string
		wantLines []string
	}{
		{"due date", strings.Replace(want, "20261202", "20261203", 1), []string{`AH DueDate: want "20261202    235959" got "20261203    235959"`}},
		{"ok flag", "120" + want[3:], []string{"fixed OK: want Y got N"}},
		{"sequence", strings.Replace(want, "AY1", "AY2", 1), []string{"AY sequence: want 1 got 2"}},
		{"screen message", want[:len(want)-3] + "AFx|AY1", []string{`AF ScreenMessages: want (none) got ["x"]`}},
		{"other message", "96", []string{"message: want 12 (checkout) got 96 (sc_resend)"}},
		{"field order", strings.Replace(want, "AOILU|AAP0001|", "AAP0001|AOILU|", 1),
			[]string{"same field values, different bytes (field order, repeated or empty fields, or formatting)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DiffSIP2(want, tt.got)
			if strings.Join(got, "\n") != strings.Join(tt.wantLines, "\n") {
				t.Errorf("DiffSIP2:\n got %q\nwant %q", got, tt.wantLines)
			}
		})
	}
	if d := DiffSIP2(want, want); d != nil {
		t.Errorf("equal messages differ: %q", d)
	}
}

func TestFieldLabels(t *testing.T) {
	labels := strings.Join(fieldLabels(sip2.CodePatronInformationResponse), ",")
	for _, want := range []string{"fixed PatronStatus", "fixed ChargedItemsCount", "AE PersonalName", "AU ChargedItems",
		"BL ValidPatron", "CQ ValidPatronPassword", "BV FeeAmount", "AF ScreenMessages"} {
		if !strings.Contains(labels, want) {
			t.Errorf("labels of 64 lack %q: %s", want, labels)
		}
	}
}
