package core

import "testing"

// TestPatronBlockedByRecord: who set a block is stored, and a patron
// written before the field existed still reads (as a staff block).
func TestPatronBlockedByRecord(t *testing.T) {
	in := &Patron{ID: "P0009", Name: "Kārlis", Blocked: true, BlockReason: "card retained", BlockedBy: BlockedBySelfcheck}
	var out Patron
	if err := decodeRecord(encodeRecord(in), &out); err != nil || out.BlockedBy != BlockedBySelfcheck || !out.Blocked {
		t.Fatalf("round trip: %+v %v", out, err)
	}
	old := encodeRecord(&Patron{ID: "P0002", Blocked: true, BlockReason: "card reported stolen"})
	old = old[:len(old)-1] // the empty BlockedBy: what the format wrote before it had the field
	var o Patron
	if err := decodeRecord(old, &o); err != nil || o.ID != "P0002" || !o.Blocked || o.BlockedBy != "" {
		t.Fatalf("old record: %+v %v", o, err)
	}
}
