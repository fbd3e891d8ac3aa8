package main

import (
	"fmt"
	"os"

	"github.com/bibgate/bibgate/internal/config"
)

// adminTokenEnv names the environment variable that carries the admin
// token, for bibgate serve and for bibgate import --server: an environment
// keeps it out of the process list, where a flag would show it.
const adminTokenEnv = "BIBGATE_ADMIN_TOKEN"

// adminTokenFromEnv sets the admin token from the environment, which wins
// over the file.
func adminTokenFromEnv(cfg *config.Config) error {
	tok := os.Getenv(adminTokenEnv)
	if tok == "" {
		return nil
	}
	if err := config.CheckAdminToken(tok); err != nil {
		return fmt.Errorf("%s: %w", adminTokenEnv, err)
	}
	cfg.Admin.Token = tok
	return nil
}
