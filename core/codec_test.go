package core

import (
	"reflect"
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	riga := time.FixedZone("", 2*3600)
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, riga)
	tests := []struct {
		name    string
		in, out record
	}{
		{"patron", &Patron{ID: "P0004", Name: "Katrīna Ozoliņa", PINHash: "$argon2id$x", Category: "child",
			HomeLibrary: "ILUB", BirthDate: now.AddDate(-11, 0, 0), Guardian: &Contact{Name: "Inga", Email: "i@example.org"},
			IdentityConfirmed: true, Resident: true, LoansOut: 2, Holds: 1, Owed: -150, Registered: now, LastActive: now},
			&Patron{}},
		{"item", &Item{ID: "I000001", RecordID: "demo-0001", Title: "Zaļā zeme", Library: "ILU", Material: "book",
			Value: 1500, HighDemand: true, Status: ItemOnLoan, LoanID: "L1", Properties: "2 pieces"}, &Item{}},
		{"loan", &Loan{ID: "L1", ItemID: "I1", PatronID: "P1", Start: now, Due: now.AddDate(0, 1, 0), Renewals: 2,
			RenewalRequested: true, RemindersSent: 1}, &Loan{}},
		{"hold", &Hold{ID: "H1", PatronID: "P1", RecordID: "r", PickupLibrary: "SUB", Placed: now, Status: HoldReady,
			ItemID: "I1", Expires: now.Add(72 * time.Hour)}, &Hold{}},
		{"reviewed hold", &Hold{ID: "H2", PatronID: "P1", RecordID: "r", Status: HoldRefused, Reviewed: now, Reason: "Izdevums ir tikai lasītavā"}, &Hold{}},
		{"fee", &Fee{ID: "F1", PatronID: "P1", Kind: FeeRefund, Amount: -500, Paid: 0, Created: now, Description: "€"}, &Fee{}},
		{"waived fee", &Fee{ID: "F2", PatronID: "P1", Kind: FeeOverdue, Amount: 500, Paid: 100, Waived: 400, WaiveReason: "hospital"}, &Fee{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := decodeRecord(encodeRecord(tt.in), tt.out); err != nil {
				t.Fatal(err)
			}
			if !equalRecords(tt.in, tt.out) {
				t.Errorf("round trip\n got %+v\nwant %+v", tt.out, tt.in)
			}
		})
	}
}

// equalRecords compares field by field, times by instant and offset.
func equalRecords(a, b any) bool {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := 0; i < va.NumField(); i++ {
		x, y := va.Field(i).Interface(), vb.Field(i).Interface()
		if tx, ok := x.(time.Time); ok {
			ty := y.(time.Time)
			_, ox := tx.Zone()
			_, oy := ty.Zone()
			if !tx.Equal(ty) || ox != oy {
				return false
			}
			continue
		}
		if !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

// FuzzDecodeRecord: stored bytes from a damaged file give an error, never
// a panic.
func FuzzDecodeRecord(f *testing.F) {
	f.Add(encodeRecord(&Item{ID: "I000001", Title: "Zaļā zeme", Status: ItemAvailable}))
	f.Add(encodeRecord(&Patron{ID: "P1", Guardian: &Contact{Name: "G"}}))
	f.Add(encodeRecord(&Loan{ID: "L1", Due: time.Unix(1e9, 0)}))
	f.Add([]byte{recordVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, rec := range []record{&Patron{}, &Item{}, &Loan{}, &Hold{}, &Fee{}} {
			_ = decodeRecord(b, rec)
		}
	})
}

// TestDecodeRecordsWrittenBeforeReviewAndWaiver: holds and fees stored
// before the review and waiver fields existed still decode, with those
// fields empty.
func TestDecodeRecordsWrittenBeforeReviewAndWaiver(t *testing.T) {
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	h := &Hold{ID: "H1", PatronID: "P1", RecordID: "r", Status: HoldWaiting, Placed: now, Reviewed: now, Reason: "x"}
	b := encodeRecord(h)
	var w wbuf
	w.time(h.Reviewed)
	w.str(h.Reason)
	old := b[:len(b)-len(w.b)]
	var got Hold
	if err := decodeRecord(old, &got); err != nil || got.ID != "H1" || !got.Reviewed.IsZero() || got.Reason != "" {
		t.Errorf("old hold: %+v %v", got, err)
	}
	f := &Fee{ID: "F1", Amount: 300, Waived: 300, WaiveReason: "y"}
	b = encodeRecord(f)
	w = wbuf{}
	w.int(int64(f.Waived))
	w.str(f.WaiveReason)
	var gf Fee
	if err := decodeRecord(b[:len(b)-len(w.b)], &gf); err != nil || gf.ID != "F1" || gf.Waived != 0 || gf.Outstanding() != 300 {
		t.Errorf("old fee: %+v %v", gf, err)
	}
}
