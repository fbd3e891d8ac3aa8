package app

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// defaultDrainTimeout is the drain time when the configuration sets none.
const defaultDrainTimeout = 10 * time.Second

// drain shuts every listener down at once, so that all stop accepting
// together and share the one drain timeout: requests already read are
// answered as usual, and what is still running when it passes is closed.
func (a *App) drain(servers []server) {
	timeout := a.cfg.DrainTimeout.Duration
	if timeout <= 0 {
		timeout = defaultDrainTimeout
	}
	grace, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.shutdown(grace)
			switch {
			case errors.Is(err, context.DeadlineExceeded):
				a.log.Warn().Str("listener", s.name).Dur("drain_timeout", timeout).
					Msg("shutdown: requests still running at the drain timeout were cut off")
			case err != nil:
				a.log.Warn().Err(err).Str("listener", s.name).Msg("shutdown")
			}
		}()
	}
	wg.Wait()
}

// httpShutdown drains an HTTP server like the protocol listeners: when ctx
// ends first, the connections still open are closed (http.Server.Shutdown
// alone leaves them).
func httpShutdown(hs *http.Server) func(context.Context) error {
	return func(ctx context.Context) error {
		err := hs.Shutdown(ctx)
		if err != nil {
			hs.Close()
		}
		return err
	}
}
