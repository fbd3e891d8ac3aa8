package app

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bibgate/bibgate/adapters/catfeed"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/store/pgstore"
)

// openSharedCatalog opens the catalogue of a node sharing PostgreSQL with
// others: the records live in the database, the local index in dir
// follows them (runFollower).
func (a *App) openSharedCatalog(dir string, pg *pgstore.Store) (*catalog.Catalogue, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	shared, err := pg.Catalogue(ctx)
	if err != nil {
		return nil, fmt.Errorf("shared catalogue: %w", err)
	}
	var mu sync.Mutex
	var lastLog time.Time
	var lastErr string
	opts := catalog.FollowOptions{
		Progress: func(st catalog.FollowStatus) {
			mu.Lock()
			defer mu.Unlock()
			if time.Since(lastLog) < 2*time.Second && st.Behind() > 0 {
				return
			}
			lastLog = time.Now()
			ev := a.log.Info().Int64("applied", st.Applied).Int64("head", st.Head).Int64("behind", st.Behind())
			if st.Head > 0 {
				ev = ev.Str("done", fmt.Sprintf("%.1f%%", 100*float64(st.Applied)/float64(st.Head)))
			}
			switch {
			case st.Building:
				ev.Msg("catalogue index: building from the shared catalogue")
			case st.Behind() > 0:
				ev.Msg("catalogue index: catching up with the shared catalogue")
			default:
				ev.Msg("catalogue index: up to date with the shared catalogue")
			}
		},
		Error: func(err error) {
			mu.Lock()
			defer mu.Unlock()
			if err.Error() != lastErr { // once per kind of trouble
				lastErr = err.Error()
				a.log.Warn().Err(err).Msg("catalogue index: cannot follow the shared catalogue; retrying")
			}
		},
	}
	c, moved, err := catalog.OpenFollowing(ctx, filepath.Join(dir, "catalogue.db"), a.svc, catfeed.Feed{C: shared}, opts)
	if err != nil {
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	switch {
	case strings.HasSuffix(moved, ".corrupt"):
		a.log.Warn().Str("moved_to", moved).
			Msg("the local catalogue index could not be read: kept aside, building it again from the shared catalogue")
	case moved != "":
		a.log.Warn().Str("moved_to", moved).
			Msg("the local catalogue index was not built from this database's shared catalogue: kept aside, building it again")
	}
	st := c.Follower().Status()
	a.log.Info().Int64("applied", st.Applied).Int64("head", st.Head).Bool("building", st.Building).
		Msg("catalogue: shared in PostgreSQL; the local index follows it")
	a.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "bibgate", Subsystem: "catalogue", Name: "index_lag_changes",
			Help: "Changes to the shared catalogue not yet in this node's search index."},
			func() float64 { return float64(c.Follower().Status().Behind()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "bibgate", Subsystem: "catalogue", Name: "index_lag_seconds",
			Help: "Age of the oldest change to the shared catalogue not yet in this node's search index (0 when up to date)."},
			func() float64 { return c.Follower().Status().Lag.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "bibgate", Subsystem: "catalogue", Name: "index_applied_change",
			Help: "Number of the last change to the shared catalogue in this node's search index."},
			func() float64 { return float64(c.Follower().Status().Applied) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "bibgate", Subsystem: "catalogue", Name: "index_building",
			Help: "1 while this node's search index, started empty, is built from the shared catalogue."},
			func() float64 {
				if c.Follower().Status().Building {
					return 1
				}
				return 0
			}),
	)
	return c, nil
}

// runFollower keeps the local index in step with the shared catalogue
// until ctx ends; done is closed then. Without a shared catalogue it only
// closes done.
func (a *App) runFollower(ctx context.Context) (done <-chan struct{}) {
	ch := make(chan struct{})
	f := a.catalog.Follower()
	if f == nil {
		close(ch)
		return ch
	}
	go func() {
		defer close(ch)
		_ = f.Run(ctx)
	}()
	return ch
}

// catalogueNotReady writes the /readyz refusal while the local index is
// being built from the shared catalogue, and reports whether it did.
func (a *App) catalogueNotReady(w http.ResponseWriter) bool {
	f := a.catalog.Follower()
	if f == nil {
		return false
	}
	st := f.Status()
	if !st.Building {
		return false
	}
	http.Error(w, fmt.Sprintf("catalogue index building from the shared catalogue: %d of %d changes", st.Applied, st.Head),
		http.StatusServiceUnavailable)
	return true
}

// readyNote is what /readyz adds about the index lag (empty without a
// shared catalogue).
func (a *App) readyNote() string {
	f := a.catalog.Follower()
	if f == nil {
		return ""
	}
	st := f.Status()
	return fmt.Sprintf("catalogue index: %d changes behind, %.1f s\n", st.Behind(), st.Lag.Seconds())
}
