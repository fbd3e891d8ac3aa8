package sip2

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
)

type corpusRow struct {
	line      int // line number in messages.tsv, header = 1
	source    string
	direction string
	message   string
}

func unescapeTSV(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return strings.NewReplacer(`\\`, `\`, `\t`, "\t", `\r`, "\r", `\n`, "\n").Replace(s)
}

func loadCorpus(tb testing.TB) []corpusRow {
	tb.Helper()
	f, err := os.Open("testdata/messages.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var rows []corpusRow
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		if n == 1 {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) != 3 {
			tb.Fatalf("messages.tsv line %d: %d columns", n, len(cols))
		}
		rows = append(rows, corpusRow{line: n, source: cols[0], direction: cols[1], message: unescapeTSV(cols[2])})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return rows
}

// loadChecksumNotes returns line → note for the rows whose checksum does not verify.
func loadChecksumNotes(tb testing.TB) (invalid map[int]string, valid map[int]bool) {
	tb.Helper()
	data, err := os.ReadFile("testdata/checksum_notes.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	invalid, valid = map[int]string{}, map[int]bool{}
	for i, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if i == 0 {
			continue
		}
		cols := strings.Split(l, "\t")
		n, err := strconv.Atoi(cols[0])
		if err != nil || len(cols) < 3 {
			tb.Fatalf("checksum_notes.tsv line %d: %q", i+1, l)
		}
		switch cols[2] {
		case "INVALID":
			invalid[n] = cols[3]
		case "valid":
			valid[n] = true
		}
	}
	return invalid, valid
}

// TestCorpusParses: every message of the corpus parses, except the rows
// whose checksum is non-standard, which give exactly a checksum error.
func TestCorpusParses(t *testing.T) {
	rows := loadCorpus(t)
	invalid, valid := loadChecksumNotes(t)
	if len(rows) != 144 || len(invalid) != 16 || len(valid) != 58 {
		t.Fatalf("corpus changed: %d rows, %d invalid, %d valid checksums", len(rows), len(invalid), len(valid))
	}
	var auto Codec
	for _, r := range rows {
		f, err := auto.Decode([]byte(r.message))
		note, bad := invalid[r.line]
		if bad {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Kind != KindChecksum {
				t.Errorf("line %d %q: got %v, want a checksum error", r.line, r.message, err)
				continue
			}
			if strings.HasPrefix(note, "dp2 variant") != strings.Contains(pe.Detail, "dp2") {
				t.Errorf("line %d: detail %q does not match note %q", r.line, pe.Detail, note)
			}
			// With error detection off the same message reads.
			off := Codec{ErrorDetection: ErrorDetectionOff}
			if f, err = off.Decode([]byte(r.message)); err != nil {
				t.Errorf("line %d: with detection off: %v", r.line, err)
				continue
			}
		} else if err != nil {
			t.Errorf("line %d %q: %v", r.line, r.message, err)
			continue
		}
		if got := f.Message.Code(); got != r.message[:2] {
			t.Errorf("line %d: code %s, want %s", r.line, got, r.message[:2])
		}
		if f.HasChecksum != (valid[r.line] || bad) {
			t.Errorf("line %d: HasChecksum = %v", r.line, f.HasChecksum)
		}
		if IsRequest(r.message[:2]) != (r.direction == "request") {
			t.Errorf("line %d: direction %s but IsRequest(%s) = %v", r.line, r.direction, r.message[:2], IsRequest(r.message[:2]))
		}
	}
}

// TestCorpusRoundTrip: Format(Parse(x)) is stable, and what we write
// verifies under the standard checksum.
func TestCorpusRoundTrip(t *testing.T) {
	for _, r := range loadCorpus(t) {
		for _, cs := range []Charset{UTF8, Windows1257, ASCII} {
			c := Codec{ErrorDetection: ErrorDetectionOff, Charset: cs}
			f, err := c.Decode([]byte(r.message))
			if err != nil {
				t.Fatalf("line %d: %v", r.line, err)
			}
			f.HasChecksum = true
			w := Codec{Charset: cs}
			first := w.Encode(f)
			f2, err := w.Decode(first)
			if err != nil {
				t.Errorf("line %d %s: re-reading %q: %v", r.line, cs, first, err)
				continue
			}
			if second := w.Encode(f2); !bytes.Equal(first, second) {
				t.Errorf("line %d %s: not stable:\n%q\n%q", r.line, cs, first, second)
			}
			if f2.Seq != f.Seq || f2.HasSeq != f.HasSeq {
				t.Errorf("line %d: sequence %d/%v became %d/%v", r.line, f.Seq, f.HasSeq, f2.Seq, f2.HasSeq)
			}
		}
	}
}

// TestCorpusExact: messages already written the strict way come back byte
// for byte; the others come back normalized as the write rules say.
func TestCorpusExact(t *testing.T) {
	byLine := map[int]string{}
	for _, r := range loadCorpus(t) {
		byLine[r.line] = r.message
	}
	var c Codec
	encode := func(n int) string {
		f, err := c.Decode([]byte(byLine[n]))
		if err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		return strings.TrimSuffix(string(c.Encode(f)), "\r")
	}
	// Spec order, exact widths: unchanged (jsip2, atz, edge-sip2, Evergreen, Libki, dp2 rows).
	for _, n := range []int{2, 3, 7, 12, 17, 20, 23, 28, 32, 36, 39, 44, 49, 54, 59, 64, 70, 76, 80, 84, 86, 93, 97, 98, 101, 112, 122, 123, 124, 145} {
		if got := encode(n); got != byLine[n] {
			t.Errorf("line %d:\n got %q\nwant %q", n, got, byLine[n])
		}
	}
	normalized := []struct {
		line int
		want string
		why  string
	}{
		{65, "9900002.00", "empty first field and trailing delimiter dropped"},
		{67, "9900002.00AY0AZFCA9", "checksum recomputed for the bytes we write"},
		{102, "24YYYY          00120100507    013934AOUWOLS|AAbad_barcode|AE|BLN|", "AO moved to its spec position"},
		{95, "101YNY20100623    165731AOBR1|AB1565921879|AQBR1|AJPerl 5 desktop reference|CK001|CSQA76.73.P33V76 1996|CTBR3|CV02|CY373827|DANicholas Richard Woodard|", "extensions in EG-doc order"},
		{116, "1803020120160923    190132AB30007003601852|AJRégion de Kamouraska|BGOSUL|BHCAD|BV0.00|CK001|AQOSUL|APOSUL|CSCA2 PQ NR46 73R|", "spec order; last field terminated"},
		{119, "98YYYYNN02000320170329    1659432.0EAOlocation|AMlogin|BXYYYYYYYYYYYNNNNN|", "empty optional AN dropped; version kept"},
		{111, "64  Y           00020100623    141130000000000000000000000000AOBR1|AA999999|AEDavid J. Fiander|BLY|CQN|BHUSD|BV0.00|BD2 Meadowvale Dr. St Thomas, ON Canada 90210|BEdjfiander@somemail.com|BF(519) 555 1234|AQBR1|PB19640925|PCPatrons|PIUnfiltered|AFOK|", "unknown fields kept in order after the standard ones, before AF"},
	}
	for _, tc := range normalized {
		if got := encode(tc.line); got != tc.want {
			t.Errorf("line %d (%s):\n got %q\nwant %q", tc.line, tc.why, got, tc.want)
		}
	}
}
