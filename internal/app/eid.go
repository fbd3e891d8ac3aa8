package app

import (
	"context"
	"time"
)

// migrateEID hashes eID personal codes an older bibgate stored in plain
// text and refuses a store whose codes were hashed with another key.
func (a *App) migrateEID() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	n, err := a.svc.MigrateEID(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		a.log.Info().Int("patrons", n).Msg("eID personal codes stored in plain text were replaced by keyed hashes")
	}
	return nil
}
