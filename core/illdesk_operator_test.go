package core_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestILLDeskRotaAndOperatorAudit: a librarian files a request with a
// rota through the desk, and it goes to the rota's first; the operator
// (the command line, the admin token) files requests and acts through the
// same audited calls: every one is in the audit log with who and whence,
// the request's entry with its rota, and a refused action is in no entry
// and changes nothing.
func TestILLDeskRotaAndOperatorAudit(t *testing.T) {
	f := newRotaFixture(t, memstore.New())
	liga := f.illStaff("liga", lib, core.RoleILL)
	other := f.illStaff("anna", demo.Subate, core.RoleILL)
	root := f.illStaff("root", lib, core.RoleConsortiumAdmin)
	item := core.ILLItem{Title: "Kalevipoeg", ISBN: "9789985304437"}

	if _, err := f.svc.StaffILLRequest(f.ctx, other, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: rota, Item: item}); core.ReasonOf(err) != core.ReasonForbidden {
		t.Fatalf("ILL staff of another library: %v, want forbidden", err)
	}
	x, err := f.svc.StaffILLRequest(f.ctx, liga, core.ILLNewRequest{PatronID: demo.PatronGood, Rota: rota, Item: item})
	if err != nil {
		t.Fatal(err)
	}
	if x.Partner != rota[0] || !slices.Equal(x.Rota, rota) || len(x.Attempts) != 1 || x.Attempts[0].Partner != rota[0] {
		t.Fatalf("request: partner %s, rota %v, attempts %+v", x.Partner, x.Rota, x.Attempts)
	}
	if _, err := f.svc.StaffILLRequest(f.ctx, liga, core.ILLNewRequest{PatronID: demo.PatronGood, Partner: rota[1], Rota: rota, Item: item}); core.ReasonOf(err) != core.ReasonBadRequest {
		t.Errorf("partner not the rota's first: %v, want bad_request", err)
	}

	y, err := f.svc.OperatorILLRequest(f.ctx, core.OperatorAdminToken+" 192.0.2.9", core.ILLNewRequest{PatronID: demo.PatronGood, Partner: rota[1], Item: item})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.OperatorILLAction(f.ctx, core.OperatorConsole, x.ID, "ship", core.ILLDeskAction{}); core.ReasonOf(err) != core.ReasonILLTransitionProhibited {
		t.Errorf("operator ships a request we made: %v, want transition prohibited", err)
	}
	if _, err := f.svc.OperatorILLAction(f.ctx, core.OperatorConsole, x.ID, "message", core.ILLDeskAction{}); core.ReasonOf(err) != core.ReasonBadRequest {
		t.Errorf("operator's empty message: %v, want bad_request", err)
	}
	got, err := f.svc.OperatorILLAction(f.ctx, "", x.ID, "cancel", core.ILLDeskAction{Note: "no longer wanted"})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != illstate.CancelPending {
		t.Errorf("after cancel: %s", got.State)
	}
	if _, err := f.svc.OperatorILLAction(f.ctx, core.OperatorAdminToken+" 192.0.2.9", y.ID, "message", core.ILLDeskAction{Note: "urgent, please"}); err != nil {
		t.Fatal(err)
	}

	type entry struct{ action, actor, from string }
	for _, tc := range []struct {
		id   string
		want []entry
	}{
		{x.ID, []entry{{"ill_request", "liga", "192.0.2.20"}, {"ill_cancel", "", core.OperatorConsole}}},
		{y.ID, []entry{{"ill_request", "", "admin-token 192.0.2.9"}, {"ill_message", "", "admin-token 192.0.2.9"}}},
	} {
		es, err := f.svc.QueryAudit(f.ctx, root, core.AuditQuery{Object: "ill/" + tc.id})
		if err != nil {
			t.Fatal(err)
		}
		var have []entry
		for _, e := range es {
			have = append(have, entry{e.Action, e.Actor, e.From})
		}
		if !slices.Equal(have, tc.want) {
			t.Errorf("audit of %s: %+v, want %+v", tc.id, have, tc.want)
		}
		if tc.id == x.ID && len(es) > 0 {
			var after struct {
				Partner string   `json:"partner"`
				Rota    []string `json:"rota"`
			}
			if err := json.Unmarshal(es[0].After, &after); err != nil {
				t.Fatal(err)
			}
			if after.Partner != rota[0] || !slices.Equal(after.Rota, rota) {
				t.Errorf("the request's audit entry: %s", es[0].After)
			}
		}
	}
}
