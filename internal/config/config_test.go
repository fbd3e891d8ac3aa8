package config

import (
	"strings"
	"testing"
)

const good = `# a small consortium
data_dir = "/var/lib/bibgate"

[store]
backend = "bolt"

[consortium]
name = "Līvānu novada bibliotēkas"
timezone = "Europe/Riga"
holidays = ["2026-11-18"]

[[library]]
id = "LIV"
name = "Līvānu centrālā bibliotēka"
open = ["mon", "tue", "wed", "thu", "fri", "sat"]

[[library]]
id = "ROZ"
name = "Rožupes bibliotēka"

[rules]
max_loans = 7
loan_period = { days = 21 }

[[rules.override]]
library = "ROZ"
material = "magazine"
[rules.override.set]
loan_period = { days = 14 }

[[sip2.account]]
login = "sc1"
password = "secret"
library = "LIV"
charset = "windows-1257"
`

func TestParseGood(t *testing.T) {
	c, err := Parse("bibgate.toml", good)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := c.BuildConsortium()
	if err != nil {
		t.Fatal(err)
	}
	if len(cons.Libraries) != 2 || cons.Name != "Līvānu novada bibliotēkas" {
		t.Fatalf("consortium %+v", cons)
	}
	liv := cons.Libraries[0]
	if !liv.Calendar.OpenWeekdays[6] || cons.Libraries[1].Calendar.OpenWeekdays[6] {
		t.Error("opening days not applied")
	}
	r := cons.Rules.Resolve("LIV", "adult", "book")
	if r.MaxLoans != 7 || r.LoanPeriod.Days != 21 || r.MaxHolds != 3 {
		t.Errorf("rules %+v", r)
	}
	if m := cons.Rules.Resolve("ROZ", "adult", "magazine"); m.LoanPeriod.Days != 14 {
		t.Errorf("override %+v", m.LoanPeriod)
	}
	if c.SIP2.Listen != "127.0.0.1:6001" || len(c.SIP2.Accounts) != 1 || c.SIP2.Accounts[0].Charset != "windows-1257" {
		t.Errorf("sip2 %+v", c.SIP2)
	}
}

func TestParseErrorsNameFileLineKey(t *testing.T) {
	tests := []struct {
		name, edit, want string
	}{
		{"syntax error", "[store]\nbackend = \"bolt\"\n", "bibgate.toml:5:"},
		{"unknown key", "[store]\nbakend = \"bolt\"", "bibgate.toml:5: store.bakend: unknown key"},
		{"bad backend", "[store]\nbackend = \"mysql\"", "bibgate.toml:5: store.backend: unknown backend"},
		{"bad weekday", "[[library]]\nid = \"LIV\"\nopen = [\"monday\"]", "bibgate.toml:6: library.0.open:"},
		{"bad date", "[[library]]\nid = \"LIV\"\nclosed = [\"18.11.2026\"]", "bibgate.toml:6: library.0.closed:"},
		{"unknown library in account", "[[library]]\nid = \"LIV\"\n[[sip2.account]]\nlogin = \"x\"\nlibrary = \"NOPE\"", "bibgate.toml:8: sip2.account.0.library: no library \"NOPE\""},
		{"bad duration", "[jobs]\ninterval = \"soon\"", "bibgate.toml:5:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "# line 1\n\n\n" + tt.edit
			if tt.name == "syntax error" {
				src = "# line 1\n\n\n[store]\nbackend = = \"bolt\"\n"
			}
			_, err := Parse("bibgate.toml", src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestDefaultIsValidDemo(t *testing.T) {
	c := Default()
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	cons, err := c.BuildConsortium()
	if err != nil || len(cons.Libraries) != 9 {
		t.Fatalf("demo consortium: %v %d", err, len(cons.Libraries))
	}
	if c.SIP2.Accounts[0].Login != "demo" || c.SIP2.Listen != "127.0.0.1:6001" || c.Z3950.Listen != "127.0.0.1:2100" {
		t.Errorf("demo listeners %+v", c)
	}
}
