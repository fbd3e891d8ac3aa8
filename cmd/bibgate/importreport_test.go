package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/marc"
)

// TestImportSaysReplaced: importing a file where two records share a 001
// says so instead of storing one fewer without a word.
func TestImportSaysReplaced(t *testing.T) {
	tmp := t.TempDir()
	var buf bytes.Buffer
	w := marc.NewWriter(&buf)
	for _, r := range [][2]string{{"d1", "One"}, {"d2", "Two"}, {"d1", "One, corrected"}} {
		rec := &marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
			{Tag: "001", Value: r[0]},
			{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: r[1]}}},
		}}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(tmp, "dup.mrc")
	if err := os.WriteFile(src, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, runImport, "--data-dir", filepath.Join(tmp, "d"), src)
	for _, want := range []string{"3 records stored", "replaced: 1 stored over a record with the same 001", "(001: d1)", ": 2 records,"} {
		if !strings.Contains(out, want) {
			t.Errorf("import output lacks %q:\n%s", want, out)
		}
	}
}
