package marc

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// yazMarcdump returns the path of yaz-marcdump or skips the test.
func yazMarcdump(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("yaz-marcdump")
	if err != nil {
		t.Skip("yaz-marcdump not installed (Debian package yaz): skipping the comparison with YAZ")
	}
	return p
}

func runYaz(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(yazMarcdump(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("yaz-marcdump %v: %v\n%s", args, err, stderr.Bytes())
	}
	return out
}

// yazFiles are the files YAZ converts correctly (the README lists where
// Debian's yaz 5.34 goes wrong: marc12, bad_marc8_escape, the DanMARC and
// Windows-1251 files).
var yazFiles = []string{
	"real.mrc",
	"src/yaz-marc7.marc",
	"src/yaz-marc9.marc",
	"src/pymarc-marc8.dat",
	"src/pymarc-utf8_with_leader_flag.dat",
	"src/pymarc-diacritic.dat",
	"src/pymarc-marc.dat",
	"src/yaz-marccol1.u8.marc",
	"src/yaz-marccol5.u8.marc",
	"src/libmarc-perl-specials.mrc",
}

// TestConversionMatchesYaz: our MARC-8 (and UTF-8) reading gives the same
// text as `yaz-marcdump -f MARC-8 -t UTF-8 -o marcxml`, after NFC.
func TestConversionMatchesYaz(t *testing.T) {
	yazMarcdump(t)
	for _, name := range yazFiles {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			ours, _ := readFile(t, path)
			out := runYaz(t, "-f", "MARC-8", "-t", "UTF-8", "-o", "marcxml", path)
			theirs, defects := readAllFrom(t, NewXMLReader(bytes.NewReader(out)))
			if len(defects) > 0 {
				t.Errorf("defects in YAZ's MARCXML: %v", defects)
			}
			if len(ours) != len(theirs) {
				t.Fatalf("%d records, YAZ has %d", len(ours), len(theirs))
			}
			for i := range ours {
				if d := diffRecords(ours[i], theirs[i]); len(d) > 0 {
					t.Errorf("record %d:\n%s", i+1, strings.Join(d, "\n"))
				}
			}
		})
	}
}

// TestStringMatchesYazLines: Record.String is yaz-marcdump's line format.
func TestStringMatchesYazLines(t *testing.T) {
	yazMarcdump(t)
	recs, _ := readFile(t, "testdata/real.mrc")
	out := runYaz(t, "-f", "MARC-8", "-t", "UTF-8", "testdata/real.mrc")
	var ours strings.Builder
	for _, r := range recs {
		ours.WriteString(r.String())
		ours.WriteString("\n")
	}
	want := strings.Split(norm.NFC.String(string(out)), "\n")
	got := strings.Split(ours.String(), "\n")
	if len(got) != len(want) {
		t.Errorf("%d lines, yaz-marcdump printed %d", len(got), len(want))
	}
	for i := 0; i < len(got) && i < len(want); i++ {
		if got[i] != want[i] {
			// YAZ keeps the leader it read; ours has leader/09 'a'.
			if len(got[i]) == 24 && got[i][:9] == want[i][:9] && got[i][10:] == want[i][10:] {
				continue
			}
			t.Errorf("line %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
}

// TestMarshalReadByYaz: YAZ reads what Marshal writes, with the same text.
func TestMarshalReadByYaz(t *testing.T) {
	yazMarcdump(t)
	recs, _ := readFile(t, "testdata/real.mrc")
	var buf bytes.Buffer
	w := NewWriter(&buf)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "out.mrc")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	diag, err := exec.Command(yazMarcdump(t), "-v", path).CombinedOutput()
	if err != nil {
		t.Fatalf("yaz-marcdump -v: %v", err)
	}
	for _, complaint := range []string{"Separator but not at end of field", "Base address not at end of directory",
		"Skipping bad byte", "Bad", "bad"} {
		if bytes.Contains(diag, []byte(complaint)) {
			t.Errorf("yaz-marcdump -v says %q about our output", complaint)
		}
	}
	out := runYaz(t, "-f", "UTF-8", "-t", "UTF-8", "-o", "marcxml", path)
	theirs, _ := readAllFrom(t, NewXMLReader(bytes.NewReader(out)))
	if len(theirs) != len(recs) {
		t.Fatalf("YAZ read %d records, we wrote %d", len(theirs), len(recs))
	}
	for i := range recs {
		if d := diffRecords(recs[i], theirs[i], marshalPositions...); len(d) > 0 {
			t.Errorf("record %d:\n%s", i+1, strings.Join(d, "\n"))
		}
	}
}
