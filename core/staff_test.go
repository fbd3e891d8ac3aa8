package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
)

const staffPassword = "correct horse battery"

// addStaff creates a staff member from the operator's command line.
func (f *fixture) addStaff(id, lib string, roles ...core.Role) core.Staff {
	f.t.Helper()
	st, err := f.svc.AddStaff(f.ctx, nil, core.NewStaff{ID: id, Library: lib, Name: "Staff " + id, Roles: roles, Password: staffPassword})
	if err != nil {
		f.t.Fatal(err)
	}
	return st
}

// signIn signs a staff member in and returns the actor for desk calls.
func (f *fixture) signIn(id string) (core.Actor, string, core.Session) {
	f.t.Helper()
	token, sess, st, err := f.svc.StaffSignIn(f.ctx, id, staffPassword, "192.0.2.10")
	if err != nil {
		f.t.Fatalf("sign in %s: %v", id, err)
	}
	return core.Actor{StaffID: st.ID, From: "192.0.2.10"}, token, sess
}

func wantReason(t *testing.T, err error, want core.Reason) {
	t.Helper()
	if got := core.ReasonOf(err); got != want {
		t.Fatalf("got %v (reason %q), want reason %q", err, got, want)
	}
}

// TestStaffSignInLockoutAndSessions proves the sign-in rules on every
// backend: a wrong password and an unknown id get the same answer; the
// 10th wrong password in a row locks the account for 15 minutes, during
// which even the right password is refused; a session works until it is
// idle for 30 minutes or signed out; the store keeps neither the token
// nor the password.
func TestStaffSignInLockoutAndSessions(t *testing.T) {
	for name, open := range privacyBackends(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			f := newFixture(t, st)
			f.addStaff("anna", demo.Subate, core.RoleCirculation)

			_, _, _, err := f.svc.StaffSignIn(f.ctx, "nobody", staffPassword, "192.0.2.1")
			wantReason(t, err, core.ReasonBadCredentials)
			for i := 1; i <= 9; i++ {
				_, _, _, err := f.svc.StaffSignIn(f.ctx, "anna", "wrong-password", "192.0.2.1")
				wantReason(t, err, core.ReasonBadCredentials)
			}
			// A right password before the 10th failure clears the count.
			if _, _, _, err := f.svc.StaffSignIn(f.ctx, "anna", staffPassword, "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 9; i++ {
				_, _, _, err := f.svc.StaffSignIn(f.ctx, "anna", "wrong-password", "192.0.2.1")
				wantReason(t, err, core.ReasonBadCredentials)
			}
			_, _, _, err = f.svc.StaffSignIn(f.ctx, "anna", "wrong-password", "192.0.2.1")
			wantReason(t, err, core.ReasonStaffLocked)
			_, _, _, err = f.svc.StaffSignIn(f.ctx, "anna", staffPassword, "192.0.2.1")
			wantReason(t, err, core.ReasonStaffLocked)
			f.clock.Advance(14 * time.Minute)
			_, _, _, err = f.svc.StaffSignIn(f.ctx, "anna", staffPassword, "192.0.2.1")
			wantReason(t, err, core.ReasonStaffLocked)
			f.clock.Advance(time.Minute + time.Second)

			actor, token, sess := f.signIn("anna")
			if actor.StaffID != "anna" || sess.CSRF == "" || len(token) < 40 {
				t.Fatalf("session %+v token %q", sess, token)
			}
			_, token2, sess2 := f.signIn("anna")
			if token2 == token || sess2.CSRF == sess.CSRF {
				t.Fatal("two sessions share a token or CSRF token")
			}
			got, who, err := f.svc.StaffSession(f.ctx, token)
			if err != nil || got.ID != sess.ID || who.ID != "anna" || who.PasswordHash != "" {
				t.Fatalf("session lookup: %+v %+v %v", got, who, err)
			}
			for _, line := range dumpStore(t, st) {
				if strings.Contains(line, token) || strings.Contains(line, staffPassword) || strings.Contains(line, "wrong-password") {
					t.Fatalf("the store holds a token or password: %.200s", line)
				}
			}
			// Used 29 minutes later, then idle 31 minutes: ended.
			f.clock.Advance(29 * time.Minute)
			if _, _, err := f.svc.StaffSession(f.ctx, token); err != nil {
				t.Fatalf("session after 29 idle minutes: %v", err)
			}
			f.clock.Advance(29 * time.Minute)
			if _, _, err := f.svc.StaffSession(f.ctx, token); err != nil {
				t.Fatalf("session used every 29 minutes: %v", err)
			}
			f.clock.Advance(31 * time.Minute)
			_, _, err = f.svc.StaffSession(f.ctx, token)
			wantReason(t, err, core.ReasonNoSession)

			_, token3, _ := f.signIn("anna")
			if err := f.svc.StaffSignOut(f.ctx, token3, "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			_, _, err = f.svc.StaffSession(f.ctx, token3)
			wantReason(t, err, core.ReasonNoSession)
			_, _, err = f.svc.StaffSession(f.ctx, "made-up-token")
			wantReason(t, err, core.ReasonNoSession)

			// A new password ends the sessions and works; the old one does not.
			_, token4, _ := f.signIn("anna")
			if err := f.svc.SetStaffPassword(f.ctx, nil, "anna", "a brand new secret"); err != nil {
				t.Fatal(err)
			}
			_, _, err = f.svc.StaffSession(f.ctx, token4)
			wantReason(t, err, core.ReasonNoSession)
			_, _, _, err = f.svc.StaffSignIn(f.ctx, "anna", staffPassword, "192.0.2.1")
			wantReason(t, err, core.ReasonBadCredentials)
			if _, _, _, err := f.svc.StaffSignIn(f.ctx, "anna", "a brand new secret", "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestStaffAccountsValidation(t *testing.T) {
	f := newMemFixture(t)
	f.addStaff("root", demo.Central, core.RoleConsortiumAdmin)
	sub := f.addStaff("subadmin", demo.Subate, core.RoleAdmin)
	f.addStaff("anna", demo.Subate, core.RoleCirculation)
	root, _, _ := f.signIn("root")
	subA, _, _ := f.signIn("subadmin")
	anna, _, _ := f.signIn("anna")
	tests := []struct {
		name string
		by   *core.Actor
		n    core.NewStaff
		want core.Reason
	}{
		{"short password", nil, core.NewStaff{ID: "x", Library: demo.Subate, Roles: []core.Role{core.RoleCirculation}, Password: "1234567"}, core.ReasonWeakPassword},
		{"no role", nil, core.NewStaff{ID: "x", Library: demo.Subate, Password: staffPassword}, core.ReasonBadRequest},
		{"unknown role", nil, core.NewStaff{ID: "x", Library: demo.Subate, Roles: []core.Role{"boss"}, Password: staffPassword}, core.ReasonBadRequest},
		{"unknown library", nil, core.NewStaff{ID: "x", Library: "NOPE", Roles: []core.Role{core.RoleCirculation}, Password: staffPassword}, core.ReasonLibraryNotFound},
		{"slash in id", nil, core.NewStaff{ID: "a/b", Library: demo.Subate, Roles: []core.Role{core.RoleCirculation}, Password: staffPassword}, core.ReasonBadRequest},
		{"exists", nil, core.NewStaff{ID: "anna", Library: demo.Subate, Roles: []core.Role{core.RoleCirculation}, Password: staffPassword}, core.ReasonStaffExists},
		{"librarian adds staff", &anna, core.NewStaff{ID: "x", Library: demo.Subate, Roles: []core.Role{core.RoleCirculation}, Password: staffPassword}, core.ReasonForbidden},
		{"admin adds at another library", &subA, core.NewStaff{ID: "x", Library: demo.Central, Roles: []core.Role{core.RoleCirculation}, Password: staffPassword}, core.ReasonForbidden},
		{"admin appoints a consortium admin", &subA, core.NewStaff{ID: "x", Library: demo.Subate, Roles: []core.Role{core.RoleConsortiumAdmin}, Password: staffPassword}, core.ReasonForbidden},
		{"admin adds at own library", &subA, core.NewStaff{ID: "x1", Library: demo.Subate, Roles: []core.Role{core.RoleCirculation}, Password: staffPassword}, ""},
		{"consortium admin adds anywhere", &root, core.NewStaff{ID: "x2", Library: demo.Bebrene, Roles: []core.Role{core.RoleAdmin}, Password: staffPassword}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.AddStaff(f.ctx, tc.by, tc.n)
			wantReason(t, err, tc.want)
		})
	}
	// Listing: the Subate admin sees Subate's staff only; nobody sees a hash.
	list, err := f.svc.ListStaff(f.ctx, &subA)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range list {
		ids = append(ids, s.ID)
		if s.PasswordHash != "" {
			t.Errorf("%s listed with its hash", s.ID)
		}
	}
	if strings.Join(ids, ",") != "anna,subadmin,x1" {
		t.Errorf("Subate admin lists %v", ids)
	}
	all, err := f.svc.ListStaff(f.ctx, nil)
	if err != nil || len(all) != 5 {
		t.Errorf("console lists %d staff (%v), want 5", len(all), err)
	}
	if _, err := f.svc.ListStaff(f.ctx, &anna); core.ReasonOf(err) != core.ReasonForbidden {
		t.Errorf("a librarian lists staff: %v", err)
	}
	// A librarian changes their own password, not someone else's.
	if err := f.svc.SetStaffPassword(f.ctx, &anna, "subadmin", "hijacked-password"); core.ReasonOf(err) != core.ReasonForbidden {
		t.Errorf("librarian set the admin's password: %v", err)
	}
	if err := f.svc.SetStaffPassword(f.ctx, &anna, "anna", "my own new one"); err != nil {
		t.Error(err)
	}
	_ = sub
}

// TestPermit is the role × action × library table.
func TestPermit(t *testing.T) {
	staff := func(lib string, roles ...core.Role) core.Staff {
		return core.Staff{ID: "s", Library: lib, Roles: roles}
	}
	circSUB := staff(demo.Subate, core.RoleCirculation)
	catSUB := staff(demo.Subate, core.RoleCataloguing)
	illSUB := staff(demo.Subate, core.RoleILL)
	adminSUB := staff(demo.Subate, core.RoleAdmin)
	cons := staff(demo.Central, core.RoleConsortiumAdmin)
	disabled := circSUB
	disabled.Disabled = true
	tests := []struct {
		who core.Staff
		act core.Action
		lib string
		ok  bool
	}{
		{circSUB, core.ActCirculate, demo.Subate, true},
		{circSUB, core.ActCirculate, demo.Central, true}, // consortium lending: an ILU patron borrows at Subate
		{circSUB, core.ActPatronRead, demo.Central, true},
		{circSUB, core.ActFeePay, demo.Central, true},
		{circSUB, core.ActFeeWaive, demo.Subate, true},
		{circSUB, core.ActFeeWaive, demo.Central, false},
		{circSUB, core.ActPatronEdit, demo.Central, false},
		{circSUB, core.ActRenewalDecide, demo.Central, false},
		{circSUB, core.ActHoldReview, demo.Subate, true},
		{circSUB, core.ActAuditRead, demo.Subate, false},
		{circSUB, core.ActStaffAdmin, demo.Subate, false},
		{circSUB, core.ActCatalogue, demo.Subate, false},
		{catSUB, core.ActCatalogue, demo.Subate, true},
		{catSUB, core.ActCatalogue, demo.Central, false},
		{catSUB, core.ActCirculate, demo.Subate, false},
		{catSUB, core.ActPatronRead, demo.Subate, false},
		{illSUB, core.ActILL, demo.Subate, true},
		{illSUB, core.ActFeeWaive, demo.Subate, false},
		{adminSUB, core.ActAuditRead, demo.Subate, true},
		{adminSUB, core.ActAuditRead, demo.Central, false},
		{adminSUB, core.ActFeeWaive, demo.Subate, true},
		{adminSUB, core.ActFeeWaive, demo.Central, false},
		{adminSUB, core.ActCirculate, demo.Central, true},
		{adminSUB, core.ActStaffAdmin, demo.Central, false},
		{adminSUB, core.ActServerAdmin, "", true},
		{circSUB, core.ActServerAdmin, "", false},
		{catSUB, core.ActServerAdmin, "", false},
		{cons, core.ActAuditRead, demo.Subate, true},
		{cons, core.ActFeeWaive, demo.Bebrene, true},
		{disabled, core.ActCirculate, demo.Subate, false},
		{core.Staff{}, core.ActCirculate, "", false},
	}
	for _, tc := range tests {
		err := core.Permit(tc.who, tc.act, tc.lib)
		if (err == nil) != tc.ok {
			t.Errorf("%v of %s %s at %s: %v, want allowed=%v", tc.who.Roles, tc.who.Library, tc.act, tc.lib, err, tc.ok)
		}
		if err != nil && core.ReasonOf(err) != core.ReasonForbidden {
			t.Errorf("refusal reason %q", core.ReasonOf(err))
		}
	}
}

// TestTimedOutSessionsAreCleared: sessions nobody signed out of do not
// pile up in the store; a sign-in clears the timed-out ones.
func TestTimedOutSessionsAreCleared(t *testing.T) {
	mem := memstore.New()
	f := newFixture(t, mem)
	f.addStaff("anna", demo.Subate, core.RoleCirculation)
	count := func() int {
		n := 0
		_ = mem.View(f.ctx, func(tx store.Tx) error {
			return tx.Scan("staff_session", "", func(string, []byte) error { n++; return nil })
		})
		return n
	}
	for i := 0; i < 5; i++ {
		f.signIn("anna")
		f.clock.Advance(time.Hour)
	}
	if n := count(); n != 1 {
		t.Errorf("%d sessions kept after five sign-ins an hour apart, want 1", n)
	}
}

// TestOwnPasswordAndDisabling: changing one's own password needs the
// current one (wrong ones count towards the lockout); a disabled account
// loses its sessions and cannot sign in until enabled again.
func TestOwnPasswordAndDisabling(t *testing.T) {
	f := newMemFixture(t)
	f.addStaff("adminsub", demo.Subate, core.RoleAdmin)
	f.addStaff("anna", demo.Subate, core.RoleCirculation)
	f.addStaff("ilze", demo.Central, core.RoleCirculation)
	anna, token, _ := f.signIn("anna")
	admin, _, _ := f.signIn("adminsub")
	wantReason(t, f.svc.ChangeOwnPassword(f.ctx, anna, "not my password", "new secret 123"), core.ReasonBadCredentials)
	wantReason(t, f.svc.ChangeOwnPassword(f.ctx, anna, staffPassword, "short"), core.ReasonWeakPassword)
	if err := f.svc.ChangeOwnPassword(f.ctx, anna, staffPassword, "new secret 123"); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.svc.StaffSession(f.ctx, token)
	wantReason(t, err, core.ReasonNoSession)
	token, _, _, err = f.svc.StaffSignIn(f.ctx, "anna", "new secret 123", "192.0.2.10")
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.SetStaffDisabled(f.ctx, anna, "ilze", true)
	wantReason(t, err, core.ReasonForbidden)
	_, err = f.svc.SetStaffDisabled(f.ctx, admin, "ilze", true) // another library
	wantReason(t, err, core.ReasonForbidden)
	if st, err := f.svc.SetStaffDisabled(f.ctx, admin, "anna", true); err != nil || !st.Disabled {
		t.Fatalf("disable: %+v %v", st, err)
	}
	_, _, err = f.svc.StaffSession(f.ctx, token)
	wantReason(t, err, core.ReasonNoSession)
	_, _, _, err = f.svc.StaffSignIn(f.ctx, "anna", "new secret 123", "192.0.2.10")
	wantReason(t, err, core.ReasonBadCredentials)
	if _, err := f.svc.SetStaffDisabled(f.ctx, admin, "anna", false); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := f.svc.StaffSignIn(f.ctx, "anna", "new secret 123", "192.0.2.10"); err != nil {
		t.Errorf("after enabling: %v", err)
	}
}
