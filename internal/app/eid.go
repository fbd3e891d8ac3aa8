package app

import (
	"context"
	"time"
)

// migrateEID hashes eID personal codes an older bibgate stored in plain
// text, refuses a store whose codes were hashed with another key, and
// indexes for purging the records an older bibgate wrote without a patron
// trail.
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
	if n, err = a.svc.MigrateTrail(ctx); err != nil {
		return err
	}
	if n > 0 {
		a.log.Info().Int("records", n).Msg("records written before the patron trail existed were indexed for purging")
	}
	return nil
}
