package holdingsmap

import (
	"strings"
	"testing"
)

func TestLayout(t *testing.T) {
	exists := func(id string) bool { return id == "ILU" }
	tests := []struct {
		name       string
		cfg        Config
		wantFormat string
		wantTag    string
		wantCode   string // the barcode subfield
		wantErr    string
	}{
		{"default is koha", Config{}, "koha", "952", "p", ""},
		{"format in any case", Config{Format: "MARC21"}, "marc21", "852", "p", ""},
		{"field over the built-in layout", Config{Field: FieldMap{Barcode: "x"}}, "koha", "952", "x", ""},
		{"custom is the field alone", Config{Format: "custom", Field: FieldMap{Tag: "996", Inventory: "i"}}, "custom", "996", "", ""},
		{"none has no layout", Config{Format: "none", Libraries: map[string]string{"X": "NOPE"}}, "none", "", "", ""},
		{"unknown format", Config{Format: "unimarc"}, "", "", "", "holdings.format: "},
		{"custom without tag", Config{Format: "custom", Field: FieldMap{Barcode: "p"}}, "", "", "", "holdings.field.tag: "},
		{"custom without barcode or inventory", Config{Format: "custom", Field: FieldMap{Tag: "996"}}, "", "", "", "holdings.field: "},
		{"two-letter code", Config{Field: FieldMap{CallNumber: "ab"}}, "", "", "", "holdings.field.call_number: "},
		{"library not there", Config{Libraries: map[string]string{"CPL": "NOPE"}}, "", "", "", "holdings.libraries: "},
		{"type mapped to nothing", Config{Types: map[string]string{"BK": ""}}, "", "", "", "holdings.types: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format, fm, err := tt.cfg.Layout(exists)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want it to begin %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if format != tt.wantFormat || fm.Tag != tt.wantTag || fm.Barcode != tt.wantCode {
				t.Errorf("got %q, tag %q, barcode %q; want %q, %q, %q", format, fm.Tag, fm.Barcode, tt.wantFormat, tt.wantTag, tt.wantCode)
			}
		})
	}
}
