package pgstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/store/pgstore"
)

// TestCoreILLRotaReopen runs a request with a rota on PostgreSQL: the
// first partner's unfilled moves it to the second; after a new pool on the
// same schema the legs are there, the first leg's tuple still finds the
// transaction (a late repeat of its unfilled is a duplicate, not a second
// move) and the second partner's unfilled ends it not supplied.
func TestCoreILLRotaReopen(t *testing.T) {
	sc := newSchemas(t)
	ctx := context.Background()
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	cons := demo.Consortium()
	cons.ILL = core.ILLSettings{Symbol: "LV:ILU", Partners: []core.ILLPartner{{Symbol: "EE:TARTU"}, {Symbol: "EE:NLIB"}}}
	open := func() (*pgstore.Store, *core.Service) {
		st := sc.open(t, "illrota", pgstore.Options{})
		svc, err := core.NewService(st, cons, core.Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
		if err != nil {
			t.Fatal(err)
		}
		return st, svc
	}
	st, svc := open()
	if err := svc.RegisterPatrons(ctx, demo.Patrons(clock.Now())[:2]); err != nil {
		t.Fatal(err)
	}
	x, err := svc.ILLRequest(ctx, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: []string{"EE:TARTU", "EE:NLIB"}, Item: core.ILLItem{Title: "Kalevipoeg"}})
	if err != nil {
		t.Fatal(err)
	}
	first := x.TID
	unfilled := core.ILLEventInput{Service: illstate.ILLAnswer, Dir: illstate.Incoming, Qualifier: illstate.QUnfilled, Reason: "not-owned", Origin: core.OriginAPDU}
	if x, err = svc.ILLApply(ctx, core.ILLRef{TID: &first, Role: illstate.Requester}, unfilled); err != nil || x.Partner != "EE:NLIB" {
		t.Fatalf("unfilled: %v %s", err, x.Partner)
	}
	st.Close()

	st, svc = open()
	defer st.Close()
	got, err := svc.ILLGet(ctx, core.ILLRef{ID: x.ID})
	if err != nil || got.Partner != "EE:NLIB" || got.State != illstate.Pending || len(got.Attempts) != 2 || got.Attempts[0].Outcome != illstate.QUnfilled ||
		got.Attempts[1].TID != got.TID || len(got.Rota) != 2 {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
	if _, err := svc.ILLApply(ctx, core.ILLRef{TID: &first, Role: illstate.Requester}, unfilled); core.ReasonOf(err) != core.ReasonILLDuplicateAPDU {
		t.Fatalf("first leg's unfilled again: %v, want %s", err, core.ReasonILLDuplicateAPDU)
	}
	second := got.TID
	if got, err = svc.ILLApply(ctx, core.ILLRef{TID: &second, Role: illstate.Requester}, unfilled); err != nil || got.State != illstate.NotSupplied {
		t.Fatalf("second leg's unfilled: %v %s", err, got.State)
	}
	if problems, err := svc.Verify(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("Verify: %v %q", err, problems)
	}
}
