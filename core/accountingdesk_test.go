package core_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/accounting"
	"github.com/bibgate/bibgate/core/demo"
)

// TestDeskAccountingPermissionsAndAudit, on every backend: a cataloguer
// of Subate opens, scans and closes a stocktaking and drafts the write-off
// of what it found missing; a circulation librarian and another library's
// administrator may do none of it, and the cataloguer may not approve;
// Subate's administrator approves. Each write is in the audit log under
// the staff member who did it, and the refused attempts changed nothing.
func TestDeskAccountingPermissionsAndAudit(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			ctx := f.ctx
			d := f.deskStaff()
			f.addStaff("kat", demo.Subate, core.RoleCataloguing)
			kat, _, _ := f.signIn("kat")
			copies := stocktakeCopies()
			if err := f.svc.PutItems(ctx, copies); err != nil {
				t.Fatal(err)
			}
			comm := core.Commission{Chair: "Inese Kalniņa", Members: []string{"Pēteris Ozols"}}
			req := core.StocktakeRequest{Library: demo.Subate, FromCallNumber: "STK", ToCallNumber: "STK", Commission: comm}
			for _, who := range []core.Actor{d.annaSUB, d.adminILU} {
				_, err := f.svc.DeskOpenStocktake(ctx, who, req)
				wantReason(t, err, core.ReasonForbidden)
			}
			if _, ok, _ := f.svc.OpenStocktakeOf(ctx, demo.Subate); ok {
				t.Fatal("a refused staff member opened a stocktaking")
			}
			st, err := f.svc.DeskOpenStocktake(ctx, kat, req)
			if err != nil {
				t.Fatal(err)
			}
			missing := []string{"STK0005", "STK0010"}
			for _, c := range copies {
				if !slices.Contains(missing, c.ID) {
					if sc, err := f.svc.DeskMarkSeen(ctx, kat, demo.Subate, c.ID); err != nil || !sc.First {
						t.Fatalf("scan %s: %+v %v", c.ID, sc, err)
					}
				}
			}
			if _, err := f.svc.DeskMarkSeen(ctx, kat, demo.Subate, "NOREC-7"); err != nil {
				t.Fatal(err)
			}
			if sc, err := f.svc.DeskMarkSeen(ctx, kat, demo.Subate, "STK0001"); err != nil || sc.First {
				t.Fatalf("second scan: %+v %v", sc, err)
			}
			_, err = f.svc.DeskMarkSeen(ctx, d.annaSUB, demo.Subate, "STK0005")
			wantReason(t, err, core.ReasonForbidden)
			_, err = f.svc.DeskStocktake(ctx, d.annaSUB, st.ID)
			wantReason(t, err, core.ReasonForbidden)
			p, err := f.svc.DeskStocktake(ctx, kat, st.ID)
			if err != nil || p.Seen != len(copies)-len(missing)+1 || p.NoRecord != 1 || !p.Open() {
				t.Fatalf("progress %d seen, %d without record, open %v (%v); want %d, 1, open", p.Seen, p.NoRecord, p.Open(), err,
					len(copies)-len(missing)+1)
			}
			_, err = f.svc.DeskCloseStocktake(ctx, d.adminILU, st.ID)
			wantReason(t, err, core.ReasonForbidden)
			act, err := f.svc.DeskCloseStocktake(ctx, kat, st.ID)
			if err != nil || len(act.Missing) != 2 || !slices.Equal(act.NoRecord, []string{"NOREC-7"}) {
				t.Fatalf("act %+v %v", act, err)
			}
			if list, err := f.svc.DeskStocktakes(ctx, kat, ""); err != nil || len(list) != 1 || list[0].Act == nil {
				t.Fatalf("kat's stocktakings: %+v %v", list, err)
			}
			if list, err := f.svc.DeskStocktakes(ctx, d.adminILU, ""); err != nil || len(list) != 0 {
				t.Errorf("Ilūkste's administrator sees %d stocktakings of their own library, want 0 (%v)", len(list), err)
			}
			_, err = f.svc.DeskStocktakes(ctx, d.adminILU, demo.Subate)
			wantReason(t, err, core.ReasonForbidden)

			wreq := core.WriteOffRequest{Library: demo.Subate, FromStocktake: st.ID, Reason: accounting.ReasonLost, Commission: comm}
			_, err = f.svc.DeskDraftWriteOff(ctx, d.annaSUB, wreq)
			wantReason(t, err, core.ReasonForbidden)
			wo, err := f.svc.DeskDraftWriteOff(ctx, kat, wreq)
			if err != nil || len(wo.Copies) != 2 {
				t.Fatalf("draft %+v %v", wo, err)
			}
			for _, who := range []core.Actor{kat, d.annaSUB, d.adminILU} {
				_, err := f.svc.DeskApproveWriteOff(ctx, who, wo.ID, "Zane Direktore")
				wantReason(t, err, core.ReasonForbidden)
			}
			if s, _ := f.svc.Item(ctx, missing[0]); s.Item.Status == core.ItemWithdrawn {
				t.Fatal("a refused approval withdrew the copy")
			}
			f.clock.Advance(time.Hour)
			wo, err = f.svc.DeskApproveWriteOff(ctx, d.adminSUB, wo.ID, "Zane Direktore")
			if err != nil || wo.Number.String() != "1/2026" || wo.ApprovedBy != "Zane Direktore" {
				t.Fatalf("approve: %+v %v", wo, err)
			}
			if s, _ := f.svc.Item(ctx, missing[0]); s.Item.Status != core.ItemWithdrawn {
				t.Errorf("%s after approval: %s", missing[0], s.Item.Status)
			}
			if got, err := f.svc.DeskWriteOff(ctx, kat, wo.ID); err != nil || got.Approved.IsZero() {
				t.Errorf("kat reads the act: %+v %v", got, err)
			}
			_, err = f.svc.DeskWriteOff(ctx, d.annaSUB, wo.ID)
			wantReason(t, err, core.ReasonForbidden)

			entries := f.audit(d.adminSUB, core.AuditQuery{})
			var got []string
			for _, e := range entries {
				if strings.HasPrefix(e.Object, "stocktake/") || strings.HasPrefix(e.Object, "writeoff/") {
					got = append(got, e.Actor+":"+e.Action)
				}
			}
			scans := len(copies) - len(missing) + 1
			want := []string{"kat:stocktake_open"}
			for range scans {
				want = append(want, "kat:stocktake_scan")
			}
			want = append(want, "kat:stocktake_close", "kat:writeoff_draft", "adminsub:writeoff_approve")
			if !slices.Equal(got, want) {
				t.Errorf("audit log %v\nwant %v", got, want)
			}
			for _, e := range entries {
				if e.Action == "writeoff_approve" && (e.Library != demo.Subate || !strings.Contains(string(e.After), "Zane Direktore")) {
					t.Errorf("approval entry %+v", e)
				}
			}
		})
	}
}

// TestDeskSummaryRegister: part 1 has an entry for the copies received in
// the year, part 2 one for each write-off act approved in it with the
// act's number and reason, part 3 agrees with both; the languages come
// from the catalogue's function; other years and other libraries are not
// counted, and a circulation librarian may not read it.
func TestDeskSummaryRegister(t *testing.T) {
	f := newMemFixture(t)
	ctx := f.ctx
	d := f.deskStaff()
	copies := stocktakeCopies() // STK0059 and STK0060 entered on 2026-03-01
	copies[0].Entered = time.Date(2026, 6, 1, 9, 0, 0, 0, demo.Riga())
	copies[0].SummaryRegisterNo = "7"
	copies[1].Entered = time.Date(2026, 6, 1, 15, 0, 0, 0, demo.Riga())
	copies[1].SummaryRegisterNo = "7"
	if err := f.svc.PutItems(ctx, copies); err != nil {
		t.Fatal(err)
	}
	wo, err := f.svc.DeskDraftWriteOff(ctx, d.adminSUB, core.WriteOffRequest{Library: demo.Subate, Items: []string{"STK0003", "STK0010"},
		Reason: accounting.ReasonWornOut, Commission: core.Commission{Chair: "Inese Kalniņa"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DeskApproveWriteOff(ctx, d.adminSUB, wo.ID, "Zane Direktore"); err != nil {
		t.Fatal(err)
	}
	langs := func(_ context.Context, ids []string) (map[string]core.RecordFacts, error) {
		out := map[string]core.RecordFacts{}
		for _, id := range ids {
			out[id] = core.RecordFacts{Language: "lav", UDC: "94(474.3)"}
		}
		return out, nil
	}
	_, err = f.svc.DeskSummaryRegister(ctx, d.annaSUB, "", 2026, langs)
	wantReason(t, err, core.ReasonForbidden)
	book, err := f.svc.DeskSummaryRegister(ctx, d.adminSUB, "", 2026, langs)
	if err != nil {
		t.Fatal(err)
	}
	if book.Library != demo.Subate || book.Year != 2026 {
		t.Errorf("register of %q %d", book.Library, book.Year)
	}
	if len(book.Received) != 2 {
		t.Fatalf("part 1 has %d entries, want 2: %+v", len(book.Received), book.Received)
	}
	first, second := book.Received[0], book.Received[1]
	if first.Number != "1" || first.Total.Copies != 2 || !first.Date.Equal(copies[58].Entered) {
		t.Errorf("first entry %+v, want no. 1 of 2 copies on 1 March", first)
	}
	if second.Number != "7" || second.Total.Copies != 2 || !second.Date.Equal(copies[0].Entered) || second.Titles != 2 {
		t.Errorf("second entry %+v, want no. 7 of 2 copies (2 titles) on 1 June", second)
	}
	if second.ByLanguage[accounting.Latvian].Copies != 2 || second.OnBalance.Sum != copies[0].Value+copies[1].Value {
		t.Errorf("second entry by language %+v, on balance %+v", second.ByLanguage, second.OnBalance)
	}
	if second.ByClass[accounting.ClassHistory] != second.Total {
		t.Errorf("second entry by UDC class %+v, want all %+v in class 9", second.ByClass, second.Total)
	}
	if len(book.WrittenOff) != 1 {
		t.Fatalf("part 2 has %d entries, want 1", len(book.WrittenOff))
	}
	w := book.WrittenOff[0]
	if w.Number != 1 || w.Act != "1/2026" || w.Reason.Paragraph != "33.4" || w.Total.Copies != 2 ||
		w.ByType[accounting.Books].Copies != 1 || w.ByType[accounting.Serials].Copies != 1 || w.Total.Sum != 103+110 {
		t.Errorf("part 2 entry %+v", w)
	}
	if w.ByClass[accounting.ClassHistory] != w.Total || w.ByLanguage[accounting.Latvian] != w.Total {
		t.Errorf("part 2 entry by UDC class %+v, by language %+v", w.ByClass, w.ByLanguage)
	}
	if book.Summary.Received.Total.Copies != 4 || book.Summary.WrittenOff.Total.Copies != 2 {
		t.Errorf("part 3 received %d written off %d, want 4 and 2", book.Summary.Received.Total.Copies, book.Summary.WrittenOff.Total.Copies)
	}
	if last, err := f.svc.DeskSummaryRegister(ctx, d.adminSUB, "", 2025, langs); err != nil || len(last.Received)+len(last.WrittenOff) != 0 {
		t.Errorf("2025 register: %+v %v", last, err)
	}
	if ilu, err := f.svc.DeskSummaryRegister(ctx, d.adminILU, "", 2026, nil); err != nil || len(ilu.Received)+len(ilu.WrittenOff) != 0 {
		t.Errorf("Ilūkste's register: %+v %v", ilu, err)
	}
}
