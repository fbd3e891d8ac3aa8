package core

import (
	"testing"
	"time"
)

func TestItemAccountingRoundTrip(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	tests := []struct {
		name string
		in   Accounting
	}{
		{"none", Accounting{}},
		{"all §19 fields", Accounting{Entered: day("2019-03-04"), SummaryRegisterNo: "KSU 12/2019", MovementNo: "M-77",
			Stocktaking: "2023 checked", WriteOffAct: "N-5/2025", WriteOffDate: day("2025-06-30")}},
		{"entry date only", Accounting{Entered: day("2001-01-01")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Item{ID: "I1", RecordID: "r1", Library: "ILU", Material: "book", Status: ItemOnLoan, LoanID: "L1",
				Properties: "kit of 3", Accounting: tt.in}
			var out Item
			if err := decodeRecord(encodeRecord(&in), &out); err != nil {
				t.Fatal(err)
			}
			a, b := in.Accounting, out.Accounting
			if !a.Entered.Equal(b.Entered) || !a.WriteOffDate.Equal(b.WriteOffDate) || a.SummaryRegisterNo != b.SummaryRegisterNo ||
				a.MovementNo != b.MovementNo || a.Stocktaking != b.Stocktaking || a.WriteOffAct != b.WriteOffAct {
				t.Errorf("accounting round trip: got %+v, want %+v", b, a)
			}
			if out.Properties != in.Properties || out.LoanID != "L1" {
				t.Errorf("circulation fields lost: %+v", out)
			}
		})
	}
}

// A copy stored before the accounting fields existed still reads.
func TestItemWithoutAccountingReads(t *testing.T) {
	in := Item{ID: "I1", RecordID: "r1", Library: "ILU", Material: "book", Status: ItemAvailable, Properties: "x"}
	b := encodeRecord(&in) // no accounting: the old layout exactly
	var out Item
	if err := decodeRecord(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Properties != "x" || !out.Entered.IsZero() {
		t.Errorf("got %+v", out)
	}
}
