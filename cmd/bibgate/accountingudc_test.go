package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store/boltstore"
)

// TestRegisterUDCColumns: the summary register counts copies by the UDC
// class of their record's 080 $a, read from the catalogue, and the classes
// add up to the copies. The six real records of pymarc-1251.dat are
// classified 624.01:532.5(075.8), 159.922.7, 69:658.012(075.8),
// 69:658(075.8), 821.113.6-93 and 530.182; the demo records have no 080.
func TestRegisterUDCColumns(t *testing.T) {
	dir := t.TempDir()
	runAcctOK(t, "import", "--data-dir", dir, "-q", "--no-copies", "testdata/pymarc-1251.dat")
	st, err := boltstore.Open(filepath.Join(dir, "circulation.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := core.NewService(st, demo.Consortium(), core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	year := time.Now().Year()
	entered := time.Date(year, 1, 15, 12, 0, 0, 0, demo.Riga())
	// Copies of each record: 3 of the engineering title, 1 of psychology,
	// 2+2 of building, 4 of the children's book, 1 of physics, 2 with no
	// record in the catalogue.
	perRecord := []struct {
		record string
		n      int
	}{{"ru03-000001RKP", 3}, {"ru03-000002RKP", 1}, {"ru03-000003RKP", 2}, {"ru03-000004RKP", 2},
		{"ru03-000005RKP", 4}, {"ru03-000006RKP", 1}, {"not-catalogued", 2}}
	var items []core.Item
	for _, r := range perRecord {
		for i := range r.n {
			items = append(items, core.Item{ID: fmt.Sprintf("UDC%04d", len(items)), RecordID: r.record, Title: r.record,
				Library: demo.Subate, Material: policy.MaterialBook, Value: core.Money(500 + i),
				Accounting: core.Accounting{Entered: entered}})
		}
	}
	if err := svc.PutItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	reg, err := csv.NewReader(strings.NewReader(runAcctOK(t, "accounting", "register", "--data-dir", dir, "--library", demo.Subate,
		"--year", fmt.Sprint(year), "--csv"))).ReadAll()
	if err != nil || len(reg) != 5 {
		t.Fatalf("register CSV: %v %v", reg, err)
	}
	head := reg[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("register CSV has no column %q: %q", name, head)
		}
		return i
	}
	want := map[string]int{"UDK 0": 0, "UDK 1": 1, "UDK 2": 0, "UDK 3": 0, "UDK 5": 1, "UDK 6": 3 + 2 + 2, "UDK 7": 0, "UDK 8": 4,
		"UDK 9": 0}
	received := reg[2] // "Gada laikā saņemtie …"
	if !strings.HasPrefix(received[0], "Gada laikā saņemtie") || received[1] != fmt.Sprint(len(items)) {
		t.Fatalf("received line %q", received)
	}
	for name, n := range want {
		if got := received[col(name)]; got != fmt.Sprint(n) {
			t.Errorf("received, %s: %s copies, want %d", name, got, n)
		}
	}
	// The 2 copies of no record in the catalogue are unclassified; every
	// line's classes add up to its copies.
	for _, line := range reg[1:] {
		sum := 0
		for _, name := range append(slices.Collect(maps.Keys(want)), "bez UDK") {
			var n int
			fmt.Sscan(line[col(name)], &n)
			sum += n
		}
		if fmt.Sprint(sum) != line[1] {
			t.Errorf("%s: classes add up to %d, copies %s", line[0], sum, line[1])
		}
	}
	if got := received[col("bez UDK")]; got != "2" {
		t.Errorf("received, unclassified: %s, want 2", got)
	}
	if i, j := col("cita"), col("UDK 0"); j != i+1 || head[col("bez UDK")+1] != "bilancē eks." {
		t.Errorf("the UDC columns are not between the languages and the balance (annex 5): %q", head)
	}

	txt := runAcctOK(t, "accounting", "register", "--data-dir", dir, "--library", demo.Subate, "--year", fmt.Sprint(year))
	if !strings.Contains(txt, "UDK 8") || !strings.Contains(txt, "bez UDK") {
		t.Errorf("register text has no UDC columns:\n%s", txt)
	}
	part1 := runAcctOK(t, "accounting", "register", "--part", "1", "--data-dir", dir, "--library", demo.Subate,
		"--year", fmt.Sprint(year), "--csv")
	if !strings.Contains(strings.SplitN(part1, "\n", 2)[0], "UDK 0,UDK 1,UDK 2,UDK 3,UDK 5,UDK 6,UDK 7,UDK 8,UDK 9,bez UDK") {
		t.Errorf("register part 1 heading: %q", strings.SplitN(part1, "\n", 2)[0])
	}
}
