package config

import "testing"

// TestExampleConfigParses keeps the shipped, commented example valid.
func TestExampleConfigParses(t *testing.T) {
	c, err := Load("../../bibgate.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	cons, err := c.BuildConsortium()
	if err != nil {
		t.Fatal(err)
	}
	if len(cons.Libraries) != 2 || len(c.SIP2.Accounts) != 1 {
		t.Fatalf("example: %d libraries, %d SIP2 accounts", len(cons.Libraries), len(c.SIP2.Accounts))
	}
	if r := cons.Rules.Resolve("SUB", "adult", "magazine"); r.LoanPeriod.Days != 21 {
		t.Errorf("example override not applied: %+v", r.LoanPeriod)
	}
	if cons.ILL.Symbol != "LV:ILU" || len(cons.ILL.Partners) != 1 || cons.ILL.Partners[0].Prices["loan"] != 350 {
		t.Errorf("example ILL settings: %+v", cons.ILL)
	}
	if r := cons.Rules.Resolve("ILU", "child", "book"); r.MaxLoans != 3 {
		t.Errorf("example child override not applied: %d", r.MaxLoans)
	}
}
