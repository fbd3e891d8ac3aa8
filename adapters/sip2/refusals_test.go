package sip2adapter_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2server"
)

// A client that sends UTF-8 to a Windows-1257 account gets its name back
// mangled: the charset conversion really happens on the wire.
func TestCharsetMismatchIsVisible(t *testing.T) {
	g := startGateway(t, false)
	c := g.dial(t, "win1257", sip2.UTF8)
	ps := send[*sip2.PatronStatusResponse](t, c, &sip2.PatronStatusRequest{Language: sip2.LanguageUnknown,
		PatronID: demo.PatronGood, PatronPassword: sip2.String(demo.PIN)})
	if ps.PersonalName == "Jānis Bērziņš" {
		t.Fatal("name survived a charset mismatch: no conversion happens")
	}
}

func TestCheckoutRefusalsSpeakTheAccountsLanguage(t *testing.T) {
	g := startGateway(t, false)
	lv := g.dial(t, "utf8", sip2.UTF8)
	en := g.dial(t, "english", sip2.UTF8)
	pin := sip2.String(demo.PIN)
	tests := []struct {
		name, patron, item string
		pin                *string
		wantLV, wantEN     string
	}{
		{"reading-room item", demo.PatronGood, "I000005", pin, "tikai lasītavā", "reading room only"},
		{"ILL item", demo.PatronGood, "I000097", pin, "Starpbibliotēku", "interlibrary loan"},
		{"blocked patron", demo.PatronBlocked, "I000001", pin, "bloķēta", "blocked"},
		{"over the limit", demo.PatronAtLimit, "I000001", pin, "Sasniegts", "maximum number of loans"},
		{"unknown patron", "P9999", "I000001", pin, "Lasītājs nav atrasts", "Patron not found"},
		{"wrong PIN", demo.PatronGood, "I000001", sip2.String("0000"), "Nepareiza parole", "Wrong PIN"},
		{"no PIN", "P0012", "I000001", nil, "ievadiet paroli", "enter your PIN"},
		{"unknown item", demo.PatronGood, "NOPE", pin, "Izdevums nav atrasts", "Item not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for lang, want := range map[string]string{"lv": tt.wantLV, "en": tt.wantEN} {
				c := lv
				if lang == "en" {
					c = en
				}
				r := send[*sip2.CheckoutResponse](t, c, &sip2.CheckoutRequest{PatronID: tt.patron, ItemID: tt.item, PatronPassword: tt.pin})
				if r.OK {
					t.Fatalf("%s: checkout allowed", lang)
				}
				if !strings.Contains(strings.Join(r.ScreenMessages, " "), want) {
					t.Errorf("%s: AF %q lacks %q", lang, r.ScreenMessages, want)
				}
			}
		})
	}
}

// TestCheckinRoutes: a checkin says whether a hold was trapped here (CV
// 01), for another library (CV 02 with CT) or the item goes home (CV 04),
// with the sort bin and the hold patron (CY, DA).
func TestCheckinRoutes(t *testing.T) {
	g := startGateway(t, false)
	ctx := context.Background()
	c := g.dial(t, "utf8", sip2.UTF8) // checks in at the central library
	items := demo.Items()
	// Copies of title demo-0001 (Zaļā zeme): I000001 at ILU, others elsewhere.
	var elsewhere string
	for _, it := range items {
		if it.RecordID == "demo-0001" && it.Library != demo.Central && it.Library != demo.Subate && !it.ILL {
			elsewhere = it.ID
			break
		}
	}
	home := items[mustIndex(t, items, elsewhere)].Library
	for _, h := range []core.HoldRequest{
		{PatronID: "P0010", RecordID: "demo-0001", PickupLibrary: demo.Central},
		{PatronID: "P0011", RecordID: "demo-0001", PickupLibrary: demo.Subate},
	} {
		if _, err := g.svc.PlaceHold(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name      string
		item      string
		alert     sip2.AlertType
		dest, bin string
		holder    string
	}{
		{"hold trapped here", "I000001", sip2.AlertHoldHere, "", "HOLDS", "P0010"},
		{"hold for another library", elsewhere, sip2.AlertHoldOther, demo.Subate, "TRANSIT-" + demo.Subate, "P0011"},
		{"no hold left: goes home", "I000025", sip2.AlertTransit, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send[*sip2.CheckinResponse](t, c, &sip2.CheckinRequest{ItemID: tt.item})
			if !r.OK || !r.Alert || r.AlertType != tt.alert {
				t.Fatalf("ok %v alert %v CV %q, want CV %q (AF %v)", r.OK, r.Alert, r.AlertType, tt.alert, r.ScreenMessages)
			}
			if tt.dest != "" && r.DestinationLocation != tt.dest {
				t.Errorf("CT %q, want %q", r.DestinationLocation, tt.dest)
			}
			if tt.bin != "" && r.SortBin != tt.bin {
				t.Errorf("CL %q, want %q", r.SortBin, tt.bin)
			}
			if r.HoldPatronID != tt.holder || (tt.holder != "" && r.HoldPatronName == "") {
				t.Errorf("CY %q DA %q, want %q", r.HoldPatronID, r.HoldPatronName, tt.holder)
			}
			if tt.alert == sip2.AlertTransit && r.DestinationLocation == demo.Central {
				t.Errorf("transit to where it already is")
			}
		})
	}
	_ = home
}

func mustIndex(t *testing.T, items []core.Item, id string) int {
	for i, it := range items {
		if it.ID == id {
			return i
		}
	}
	t.Fatalf("no item %s", id)
	return 0
}

// A patron may identify with an eID personal code where the account allows
// it (no PIN: the card reader authenticated them); elsewhere the code is
// not a card number.
func TestEIDLogin(t *testing.T) {
	g := startGateway(t, false)
	withEID := g.dial(t, "utf8", sip2.UTF8)
	r := send[*sip2.CheckoutResponse](t, withEID, &sip2.CheckoutRequest{PatronID: demo.PersonalCodeEID, ItemID: "I000001"})
	if !r.OK {
		t.Fatalf("eID checkout refused: %v", r.ScreenMessages)
	}
	info := send[*sip2.PatronInformationResponse](t, withEID, &sip2.PatronInformationRequest{Language: sip2.LanguageUnknown,
		Summary: summary(sip2.SummaryChargedItems), PatronID: demo.PersonalCodeEID})
	if len(info.ChargedItems) != 1 || info.ChargedItems[0] != "I000001" {
		t.Errorf("eID patron's own loans: %v", info.ChargedItems)
	}
}

func TestEIDRefusedWhereNotAllowed(t *testing.T) {
	g := startGatewayWith(t, func(a sip2server.Accounts) { a["utf8"].Options["allow_eid"] = "false" })
	c := g.dial(t, "utf8", sip2.UTF8)
	r := send[*sip2.CheckoutResponse](t, c, &sip2.CheckoutRequest{PatronID: demo.PersonalCodeEID, ItemID: "I000001"})
	if r.OK || !strings.Contains(strings.Join(r.ScreenMessages, " "), "Lasītājs nav atrasts") {
		t.Errorf("eID accepted where not allowed: ok %v AF %v", r.OK, r.ScreenMessages)
	}
}

// Patron information lists are confidential: without the PIN the counts
// are sent, the lists are not.
func TestPatronListsNeedAuthentication(t *testing.T) {
	g := startGateway(t, false)
	c := g.dial(t, "utf8", sip2.UTF8)
	info := send[*sip2.PatronInformationResponse](t, c, &sip2.PatronInformationRequest{Language: sip2.LanguageUnknown,
		Summary: summary(sip2.SummaryChargedItems), PatronID: demo.PatronAtLimit})
	if info.ChargedItemsCount != 5 || len(info.ChargedItems) != 0 {
		t.Errorf("without PIN: count %d, list %v (must be empty)", info.ChargedItemsCount, info.ChargedItems)
	}
	info = send[*sip2.PatronInformationResponse](t, c, &sip2.PatronInformationRequest{Language: sip2.LanguageUnknown,
		Summary: summary(sip2.SummaryChargedItems), PatronID: demo.PatronAtLimit, PatronPassword: sip2.String(demo.PIN),
		StartItem: "2", EndItem: "3"})
	if info.ChargedItemsCount != 5 || len(info.ChargedItems) != 2 {
		t.Errorf("with PIN, items 2-3: count %d, list %v", info.ChargedItemsCount, info.ChargedItems)
	}
	if !info.PatronStatus[sip2.TooManyItemsCharged] || !info.PatronStatus[sip2.ChargePrivilegesDenied] {
		t.Errorf("patron at the limit: status %v", info.PatronStatus)
	}
}

// Per-account presentation: AE as "{last}, {first}", AV laid out by a
// template, and status flags a kiosk misreads suppressed.
func TestAccountPresentation(t *testing.T) {
	g := startGatewayWith(t, func(a sip2server.Accounts) {
		acct := a["utf8"]
		acct.PatronNameFormat = "{last}, {first}"
		acct.FineItemFormat = "{amount} EUR {type}"
		acct.PatronStatus.Suppress[sip2.TooManyItemsCharged] = true
	})
	c := g.dial(t, "utf8", sip2.UTF8)
	ps := send[*sip2.PatronStatusResponse](t, c, &sip2.PatronStatusRequest{Language: sip2.LanguageUnknown,
		PatronID: demo.PatronGood, PatronPassword: sip2.String(demo.PIN)})
	if ps.PersonalName != "Bērziņš, Jānis" {
		t.Errorf("AE %q, want %q", ps.PersonalName, "Bērziņš, Jānis")
	}
	info := send[*sip2.PatronInformationResponse](t, c, &sip2.PatronInformationRequest{Language: sip2.LanguageUnknown,
		Summary: summary(sip2.SummaryFineItems), PatronID: demo.PatronDebtor, PatronPassword: sip2.String(demo.PIN)})
	if len(info.FineItems) != 1 || info.FineItems[0] != "6.00 EUR damage" {
		t.Errorf("AV %q, want [\"6.00 EUR damage\"]", info.FineItems)
	}
	limit := send[*sip2.PatronStatusResponse](t, c, &sip2.PatronStatusRequest{Language: sip2.LanguageUnknown,
		PatronID: demo.PatronAtLimit, PatronPassword: sip2.String(demo.PIN)})
	if limit.PatronStatus[sip2.TooManyItemsCharged] || !limit.PatronStatus[sip2.ChargePrivilegesDenied] {
		t.Errorf("status %v: 'too many items charged' must be suppressed, 'charge denied' kept", limit.PatronStatus)
	}
}

// Fields an account hides are sent empty.
func TestHideFields(t *testing.T) {
	g := startGatewayWith(t, func(a sip2server.Accounts) { a["utf8"].HideFields = []string{"BE"} })
	c := g.dial(t, "utf8", sip2.UTF8)
	info := send[*sip2.PatronInformationResponse](t, c, &sip2.PatronInformationRequest{Language: sip2.LanguageUnknown,
		PatronID: demo.PatronGood, PatronPassword: sip2.String(demo.PIN)})
	if info.EmailAddress != "" || info.PersonalName == "" {
		t.Errorf("BE %q (hidden: must be empty), AE %q", info.EmailAddress, info.PersonalName)
	}
}
