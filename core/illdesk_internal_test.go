package core

import (
	"context"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core/illstate"
	"github.com/bibgate/bibgate/store/memstore"
)

// TestILLDeskHidesThePatron: the desk shows a transaction's patron only
// to staff who may read that patron (what a patron borrows is
// confidential); the others see the transaction without it.
func TestILLDeskHidesThePatron(t *testing.T) {
	c := &Consortium{Libraries: []Library{{ID: "ILU", Name: "Ilūkste"}}}
	s, err := NewService(memstore.New(), c, Options{KDF: KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.RegisterPatrons(ctx, []NewPatron{{Patron: Patron{ID: "P1", Name: "Jānis Bērziņš", HomeLibrary: "ILU", Category: "adult"}, PIN: "4711"}}); err != nil {
		t.Fatal(err)
	}
	x := ILLTransaction{ID: "T1", Role: illstate.Requester, Partner: "EE:TARTU", State: illstate.Pending, PatronID: "P1", Service: ILLLoan}
	for _, tc := range []struct {
		name  string
		roles []Role
		show  bool
	}{
		{"ILL librarian", []Role{RoleILL}, true},
		{"cataloguer", []Role{RoleCataloguing}, false},
	} {
		var e ILLDeskEntry
		err := s.view(ctx, func(t tx) error {
			var err error
			e, err = s.illDeskEntry(t, Staff{ID: "s", Library: "ILU", Roles: tc.roles}, x, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if e.ShowPatron != tc.show || (e.Transaction.PatronID == "P1") != tc.show || (e.PatronName != "") != tc.show {
			t.Errorf("%s: show %v, patron %q %q", tc.name, e.ShowPatron, e.Transaction.PatronID, e.PatronName)
		}
	}
}
