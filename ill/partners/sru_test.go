package partners

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseSRUResponse reads responses Zebra gave (testdata/sru-zebra-*).
func TestParseSRUResponse(t *testing.T) {
	tests := []struct {
		file     string
		hits     int
		ids      []string
		holdings int
		err      string
	}{
		{"sru-zebra-isbn.xml", 1, []string{"demo-0010"}, 2, ""},
		{"sru-zebra-title-author.xml", 1, []string{"demo-0010"}, 2, ""},
		{"sru-zebra-diagnostic.xml", 0, nil, 0, "info:srw/diagnostic/1/16 Unsupported index"},
	}
	for _, tt := range tests {
		b, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		hits, recs, err := ParseSRUResponse(b)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want %q", tt.file, err, tt.err)
			}
			continue
		}
		if err != nil || hits != tt.hits || len(recs) != len(tt.ids) {
			t.Fatalf("%s: %d hits, %d records, %v", tt.file, hits, len(recs), err)
		}
		for i, r := range recs {
			if r.ControlNumber() != tt.ids[i] || len(MARCHoldings(r)) != tt.holdings {
				t.Errorf("%s: record %d = %s with %v", tt.file, i, r.ControlNumber(), MARCHoldings(r))
			}
			if f := r.First("852"); f == nil || f.Sub('b') != "Tartu Ülikooli Raamatukogu" || f.Ind1 != '8' {
				t.Errorf("%s: 852 %+v", tt.file, f)
			}
		}
	}
	for _, bad := range []string{"", "<html>502</html>", "<searchRetrieveResponse><numberOfRecords>-1</numberOfRecords></searchRetrieveResponse>",
		"<searchRetrieveResponse><version>1.2</version></searchRetrieveResponse>"} {
		if _, _, err := ParseSRUResponse([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// FuzzParseSRUResponse: any bytes a target sends are an error or a
// result, never a crash; seeds are Zebra's responses.
func FuzzParseSRUResponse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "sru-*.xml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		hits, recs, err := ParseSRUResponse(b)
		if err != nil {
			return
		}
		if hits < 0 {
			t.Fatalf("negative hits %d", hits)
		}
		for _, r := range recs {
			_ = MARCHoldings(r)
			_ = Material(r.Leader)
		}
	})
}
