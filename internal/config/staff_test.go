package config

import (
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
)

func TestStaffSettings(t *testing.T) {
	c, err := Parse("s.toml", "[demo]\nload = true\n[staff]\nlock_after = 5\nlockout = \"1h\"\nidle_timeout = \"10m\"\n")
	if err != nil {
		t.Fatal(err)
	}
	got := c.Staff.Settings()
	if got.LockAfter != 5 || got.Lockout != time.Hour || got.IdleTimeout != 10*time.Minute || got.MaxSession != 0 {
		t.Errorf("settings %+v", got)
	}
	c, err = Parse("s.toml", "[demo]\nload = true\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Staff.Settings() != (core.StaffSettings{}) {
		t.Errorf("defaults are not left to the core: %+v", c.Staff.Settings())
	}
}
