package config

import (
	"strings"
	"testing"
)

func TestHoldingsSection(t *testing.T) {
	tests := []struct {
		name, src, wantErr string
	}{
		{"koha with mapping", "[demo]\nload = true\n[holdings]\nformat = \"koha\"\n[holdings.libraries]\nCPL = \"ILU\"\n[holdings.types]\nBK = \"book\"\n", ""},
		{"custom layout", "[demo]\nload = true\n[holdings]\nformat = \"custom\"\n[holdings.field]\ntag = \"996\"\nbarcode = \"b\"\n", ""},
		{"mapping to a library that is not there", "[demo]\nload = true\n[holdings]\n[holdings.libraries]\nCPL = \"NOPE\"\n", "holdings.libraries"},
		{"unknown format", "[demo]\nload = true\n[holdings]\nformat = \"unimarc\"\n", "t.toml:4: holdings.format"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("t.toml", tt.src)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				cons, err := c.BuildConsortium()
				if err != nil {
					t.Fatal(err)
				}
				if _, _, err := c.Holdings.Layout(func(id string) bool { _, ok := cons.Library(id); return ok }); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}
