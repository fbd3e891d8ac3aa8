package holdings

import (
	"context"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/store/memstore"
)

func TestImporterKeepsLoanAcrossReimport(t *testing.T) {
	ctx := context.Background()
	svc, err := core.NewService(memstore.New(), demo.Consortium(), core.Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1},
		Clock: core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RegisterPatrons(ctx, []core.NewPatron{{Patron: core.Patron{ID: "P1", Name: "A B", Category: "adult",
		HomeLibrary: demo.Central, Resident: true, IdentityConfirmed: true}}}); err != nil {
		t.Fatal(err)
	}
	m, err := New(Config{Libraries: map[string]string{"CPL": "ILU", "SUB": "SUB"}, Types: map[string]string{"BK": "book", "REF": "reference"}},
		func(id string) bool { _, ok := demo.Consortium().Library(id); return ok })
	if err != nil {
		t.Fatal(err)
	}
	recs := readAll(t, "testdata/koha-952.mrc")
	nums := []int{1, 2, 3}
	run := func(dry bool) Report {
		im := &Importer{Mapper: m, Svc: svc, DryRun: dry}
		if err := im.Batch(ctx, nums, recs); err != nil {
			t.Fatal(err)
		}
		return im.Report
	}
	if rep := run(true); rep.Copies != 5 || rep.Skipped != 2 {
		t.Errorf("dry run: %+v", rep)
	}
	if c, _ := svc.Counts(ctx); c.Items != 0 {
		t.Fatalf("dry run wrote %d copies", c.Items)
	}
	if rep := run(false); rep.Copies != 5 || rep.Skipped != 2 || len(rep.Problems) != 2 {
		t.Fatalf("import: %+v", rep)
	}
	loan, err := svc.Checkout(ctx, core.CheckoutRequest{Library: "ILU", PatronID: "P1", ItemID: "K0000001"})
	if err != nil {
		t.Fatal(err)
	}
	// The export changes the copy's shelf mark and says nothing of loans.
	f := recs[0].First("952")
	for i := range f.Subfields {
		if f.Subfields[i].Code == 'o' {
			f.Subfields[i] = marc.Subfield{Code: 'o', Value: "821.174 Up 2"}
		}
	}
	run(false)
	it, err := svc.Item(ctx, "K0000001")
	if err != nil {
		t.Fatal(err)
	}
	if it.Item.Status != core.ItemOnLoan || it.Item.LoanID != loan.ID || it.Item.CallNumber != "821.174 Up 2" {
		t.Errorf("after re-import: %+v", it.Item)
	}
	if lost, _ := svc.Item(ctx, "K0000006"); lost.Item.Status != core.ItemLost {
		t.Errorf("K0000006: %+v", lost.Item)
	}
}
