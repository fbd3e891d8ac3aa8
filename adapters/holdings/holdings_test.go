package holdings

import (
	"os"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/marc"
)

func readAll(t *testing.T, name string) []*marc.Record {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd := marc.NewReader(f)
	var out []*marc.Record
	for {
		rec, err := rd.Next()
		if rec == nil {
			break
		}
		if err != nil {
			t.Fatalf("fixture %s: %v", name, err)
		}
		out = append(out, rec)
	}
	return out
}

var demoLibs = map[string]bool{"ILU": true, "SUB": true, "ILUB": true}

func exists(id string) bool { return demoLibs[id] }

func copiesOf(t *testing.T, m *Mapper, file string) (map[string]core.Item, []Problem) {
	t.Helper()
	got := map[string]core.Item{}
	var probs []Problem
	for i, rec := range readAll(t, file) {
		its, ps := m.Copies(i+1, rec)
		for _, it := range its {
			got[it.ID] = it
		}
		probs = append(probs, ps...)
	}
	return got, probs
}

func TestKoha952(t *testing.T) {
	m, err := New(Config{Format: "koha", Libraries: map[string]string{"CPL": "ILU", "SUB": "SUB"},
		Types: map[string]string{"BK": "book", "REF": "reference"}}, exists)
	if err != nil {
		t.Fatal(err)
	}
	got, probs := copiesOf(t, m, "testdata/koha-952.mrc")
	tests := []struct {
		barcode string
		check   func(core.Item) bool
		what    string
	}{
		{"K0000001", func(it core.Item) bool {
			return it.Library == "ILU" && it.CallNumber == "821.174 Up 1" && it.Material == "book" && it.Value == 1450 &&
				it.InventoryNumber == "INV-2019-0001" && it.Entered.Format("2006-01-02") == "2019-03-04" &&
				it.RecordID == "koha-1" && it.Title == "Zaļā zeme" && it.Author == "Upīts, Andrejs"
		}, "home copy: $b library, $o, $y, $v price before $g, $i, $d, title from 245"},
		{"K0000002", func(it core.Item) bool { return it.Library == "SUB" && it.Value == 1200 }, "holding branch SUB, $g price with a comma"},
		{"K0000003", func(it core.Item) bool { return it.Material == "reference" && it.ReadingRoomOnly && it.Value == 3000 }, "$7 not for loan"},
		{"K0000006", func(it core.Item) bool { return it.Status == core.ItemLost }, "$1 lost"},
		{"INV-1999-0400", func(it core.Item) bool { return it.InventoryNumber == "INV-1999-0400" }, "no barcode: the inventory number is the id"},
	}
	for _, tt := range tests {
		t.Run(tt.barcode, func(t *testing.T) {
			it, ok := got[tt.barcode]
			if !ok {
				t.Fatalf("copy %s not mapped", tt.barcode)
			}
			if !tt.check(it) {
				t.Errorf("%s: got %+v", tt.what, it)
			}
		})
	}
	if len(got) != 5 {
		t.Errorf("%d copies, want 5", len(got))
	}
	want := []struct {
		rec           int
		field, reason string
	}{
		{2, "952 #2", `unknown library code "XYZ" in $b`},
		{2, "952 #3", `unknown item type "DVD" in $y`},
	}
	if len(probs) != len(want) {
		t.Fatalf("problems %v, want %d", probs, len(want))
	}
	for i, w := range want {
		p := probs[i]
		if p.Record != w.rec || p.RecordID != "koha-2" || p.Field != w.field || !strings.Contains(p.Reason, w.reason) {
			t.Errorf("problem %d: %s; want record %d field %s reason %q", i, p, w.rec, w.field, w.reason)
		}
	}
}

func TestMARC21852876(t *testing.T) {
	m, err := New(Config{Format: "marc21"}, exists)
	if err != nil {
		t.Fatal(err)
	}
	got, probs := copiesOf(t, m, "testdata/marc21-852-876.mrc")
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	tests := []struct {
		barcode, lib, call, inv string
		value                   core.Money
		entered                 string
	}{
		{"M0000001", "ILU", "821.174 Ra", "A-100", 999, "2019-03-04"},
		{"M0000002", "ILU", "821.174 Ra", "A-101", 999, ""},
		{"M0000003", "SUB", "821.174 Ra", "", 0, ""},
		{"M0000004", "ILU", "821.174 Ja", "", 0, ""},
	}
	for _, tt := range tests {
		it, ok := got[tt.barcode]
		if !ok {
			t.Errorf("copy %s not mapped", tt.barcode)
			continue
		}
		entered := ""
		if !it.Entered.IsZero() {
			entered = it.Entered.Format("2006-01-02")
		}
		if it.Library != tt.lib || it.CallNumber != tt.call || it.InventoryNumber != tt.inv || it.Value != tt.value ||
			entered != tt.entered || it.Material != "book" {
			t.Errorf("%s: got %+v", tt.barcode, it)
		}
	}
	if len(got) != 4 {
		t.Errorf("%d copies, want 4", len(got))
	}
}

// ALISE- or COBISS-style exports: the copy field and its subfields come
// from the configuration, with the §19 accounting fields.
func TestCustomMapping(t *testing.T) {
	rec := &marc.Record{Fields: []marc.Field{{Tag: "001", Value: "al-1"}, {Tag: "245", Subfields: []marc.Subfield{{Code: 'a', Value: "Teksts"}}},
		{Tag: "996", Subfields: []marc.Subfield{{Code: 'b', Value: "A1"}, {Code: 'l', Value: "ilu"}, {Code: 't', Value: "Grām"},
			{Code: 'r', Value: "KSU-12"}, {Code: 'm', Value: "K-3"}, {Code: 's', Value: "2023 ok"}, {Code: 'w', Value: "N-5"},
			{Code: 'x', Value: "30.06.2025"}, {Code: 'e', Value: "04.03.2019"}}}}}
	cfg := Config{Format: "custom", Field: FieldMap{Tag: "996", Barcode: "b", HoldingLibrary: "l", ItemType: "t",
		SummaryRegister: "r", Movement: "m", Stocktaking: "s", WriteOffAct: "w", WriteOffDate: "x", Acquired: "e"},
		Libraries: map[string]string{"ilu": "ILU"}, Types: map[string]string{"grām": "book"}}
	m, err := New(cfg, exists)
	if err != nil {
		t.Fatal(err)
	}
	its, probs := m.Copies(1, rec)
	if len(probs) != 0 || len(its) != 1 {
		t.Fatalf("copies %v problems %v", its, probs)
	}
	it := its[0]
	if it.SummaryRegisterNo != "KSU-12" || it.MovementNo != "K-3" || it.Stocktaking != "2023 ok" || it.WriteOffAct != "N-5" ||
		it.WriteOffDate.Format("2006-01-02") != "2025-06-30" || it.Entered.Format("2006-01-02") != "2019-03-04" || it.Library != "ILU" {
		t.Errorf("got %+v", it)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"unknown format", Config{Format: "unimarc"}, "holdings.format"},
		{"custom without tag", Config{Format: "custom", Field: FieldMap{Barcode: "p"}}, "holdings.field.tag"},
		{"mapping to a missing library", Config{Libraries: map[string]string{"CPL": "NOPE"}}, `"NOPE"`},
		{"two-letter subfield code", Config{Field: FieldMap{Barcode: "pp"}}, "holdings.field.barcode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg, exists)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want one naming %s", err, tt.want)
			}
		})
	}
}
