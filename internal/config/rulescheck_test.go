package config

import (
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core/policy"
)

// TestRulePeriodsRefused: zero and negative periods and negative amounts
// in [rules] or an override stop the server with file, line and key.
func TestRulePeriodsRefused(t *testing.T) {
	tests := []struct {
		name, edit, want string
	}{
		{"zero loan period", "[rules]\nloan_period = { days = 0 }", "bibgate.toml:5: rules.loan_period: "},
		{"negative loan period", "[rules]\nloan_period = { days = -7 }", "bibgate.toml:5: rules.loan_period: "},
		{"negative months", "[rules]\nhigh_demand_period = { months = -1, days = 40 }", "bibgate.toml:5: rules.high_demand_period: "},
		{"negative refund window", "[rules]\nlost_refund_window = { days = -1 }", "bibgate.toml:5: rules.lost_refund_window: "},
		{"negative fine", "[rules]\nfine_per_day_cents = -10", "bibgate.toml:5: rules.fine_per_day_cents: "},
		{"reminder days backwards", "[rules]\nreminder_days = [14, 7]", "bibgate.toml:5: rules.reminder_days: "},
		{"override zero period", "[[rules.override]]\nmaterial = \"audio\"\n[rules.override.set]\nloan_period = {}",
			"bibgate.toml:7: rules.override.0.set.loan_period: "},
		{"unknown country", "[consortium]\ncountry = \"DE\"", "bibgate.toml:5: consortium.country: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "# line 1\n[demo]\nload = true\n" + tt.edit + "\n"
			_, err := Parse("bibgate.toml", src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := Parse("bibgate.toml", "[demo]\nload = true\n[rules]\nloan_period = { days = 21 }\nfine_cap_cents = -1\n"); err != nil {
		t.Errorf("good rules refused: %v", err)
	}
}

// TestDemoConsortiumTakesConfiguredCalendar: without [[library]], the
// demo consortium still closes on the configured holidays and on the
// computed public holidays of the configured country.
func TestDemoConsortiumTakesConfiguredCalendar(t *testing.T) {
	c, err := Parse("bibgate.toml", "[demo]\nload = true\n[consortium]\nname = \"Mana\"\ncountry = \"EE\"\nholidays = [\"2027-08-13\"]\n")
	if err != nil {
		t.Fatal(err)
	}
	cons, err := c.BuildConsortium()
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Europe/Riga")
	day := func(s string) time.Time {
		d, _ := time.ParseInLocation("2006-01-02 15:04", s+" 12:00", loc)
		return d
	}
	if cons.Name != "Mana" {
		t.Errorf("name %q", cons.Name)
	}
	for _, l := range cons.Libraries {
		cal := l.Calendar
		if cal.IsOpen(day("2027-08-13")) { // a Friday closed by the config
			t.Errorf("%s open on a configured holiday", l.ID)
		}
		if cal.IsOpen(day("2027-02-24")) { // Estonia's Independence Day, a Wednesday
			t.Errorf("%s open on an Estonian holiday", l.ID)
		}
		if cal.IsOpen(day("2027-03-26")) { // Good Friday
			t.Errorf("%s open on Good Friday", l.ID)
		}
		if !cal.IsOpen(day("2027-03-24")) {
			t.Errorf("%s closed on an ordinary Wednesday", l.ID)
		}
	}
	// The demo default without a country keeps Latvia's holidays.
	d := Default()
	cons, _ = d.BuildConsortium()
	if cal := cons.Libraries[0].Calendar; cal.Country != policy.CountryLatvia || cal.IsOpen(day("2028-04-14")) {
		t.Errorf("demo calendar %q open on Good Friday 2028", cal.Country)
	}
}
