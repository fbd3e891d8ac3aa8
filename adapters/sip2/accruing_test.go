package sip2adapter_test

import (
	"testing"
	"time"

	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/sip2"
)

// TestAccruingFineShownInBV: an item still out 4 days after its due date
// shows 0.40 EUR in BV of the patron status (24) and patron information
// (64) answers, as Koha shows accruing fines, though nothing is charged
// until it comes back.
func TestAccruingFineShownInBV(t *testing.T) {
	g := startGateway(t, false)
	c := g.dial(t, "utf8", sip2.UTF8)
	pin := sip2.String(demo.PIN)
	co := send[*sip2.CheckoutResponse](t, c, &sip2.CheckoutRequest{PatronID: demo.PatronGood, ItemID: "I000001", PatronPassword: pin})
	if !co.OK {
		t.Fatalf("12: %v", co.ScreenMessages)
	}
	due := sip2.ParseDate(co.DueDate, demo.Riga())
	for _, tc := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"before the due date", due.Add(-time.Hour), ""},
		{"4 days overdue", due.Add(4*24*time.Hour - time.Hour), "0.40"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g.clock.Set(tc.at)
			ps := send[*sip2.PatronStatusResponse](t, c, &sip2.PatronStatusRequest{Language: sip2.LanguageUnknown,
				PatronID: demo.PatronGood, PatronPassword: pin})
			info := send[*sip2.PatronInformationResponse](t, c, &sip2.PatronInformationRequest{Language: sip2.LanguageUnknown,
				PatronID: demo.PatronGood, PatronPassword: pin})
			for name, bv := range map[string]string{"24": ps.FeeAmount, "64": info.FeeAmount} {
				if tc.want == "" {
					if bv != "" && bv != "0.00" {
						t.Errorf("%s BV %q, want nothing owed", name, bv)
					}
				} else if bv != tc.want {
					t.Errorf("%s BV %q, want %q", name, bv, tc.want)
				}
			}
		})
	}
}
