package app

import (
	"context"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/config"
)

// TestILLMailNeedsAPassword: a mailbox to read without a password stops
// serve at once with what to set, before anything runs.
func TestILLMailNeedsAPassword(t *testing.T) {
	t.Setenv(config.ILLMailPasswordEnv, "")
	cfg := illConfig(t, t.TempDir())
	cfg.ILL.Listen = ""
	cfg.ILL.Mail = config.ILLMail{From: "ill@ilu.example", SMTP: "127.0.0.1:1", IMAP: "127.0.0.1:1", IMAPTLS: "plain", Username: "ill"}
	cfg.ILL.Partners[0].Email = "ill@reqlib.example"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, zerolog.Nop(), Options{KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	err = a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no password for ill") || !strings.Contains(err.Error(), config.ILLMailPasswordEnv) {
		t.Fatalf("Run: %v, want the missing password named", err)
	}
}
