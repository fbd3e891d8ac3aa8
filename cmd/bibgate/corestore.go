package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/bibgate/bibgate/adapters/holdings"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/boltstore"
	"github.com/bibgate/bibgate/store/pgstore"
)

// openCore opens the circulation store a configuration names (bolt in its
// data directory, or PostgreSQL) and the core over it, for the offline
// tools (imports, exports, items show). The caller closes the store.
func openCore(ctx context.Context, cfg *config.Config) (*core.Service, store.Store, error) {
	var st store.Store
	switch cfg.Store.Backend {
	case "postgres":
		pg, err := pgstore.Open(ctx, cfg.Store.PostgresDSN, pgstore.Options{Schema: cfg.Store.PostgresSchema,
			MaxConns: int32(min(cfg.Store.MaxConns, math.MaxInt32)), StatementTimeout: cfg.Store.StatementTimeout.Duration})
		if err != nil {
			return nil, nil, fmt.Errorf("open PostgreSQL store: %w", err)
		}
		st = pg
	case "memory":
		return nil, nil, fmt.Errorf("store backend memory keeps nothing: use bolt or postgres, or --server to import into a running server")
	default:
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, nil, err
		}
		path := filepath.Join(cfg.DataDir, "circulation.db")
		b, err := boltstore.Open(path, boltstore.Options{LockTimeout: 2 * time.Second})
		if err != nil {
			return nil, nil, fmt.Errorf("%w (is bibgate serve running on this data dir? then use --server)", err)
		}
		st = b
	}
	cons, err := cfg.BuildConsortium()
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	// Personal codes are hashed with the installation's key, as serve does.
	eidKey, err := cfg.EIDKey()
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	svc, err := core.NewService(st, cons, core.Options{EIDKey: eidKey})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return svc, st, nil
}

// toolConfig loads --config and applies --data-dir.
func toolConfig(cfgPath, dataDir string) (*config.Config, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	if dataDir != "" {
		cfg.DataDir = dataDir
	}
	return cfg, nil
}

// openSharedCatalogue opens the catalogue shared in PostgreSQL; closing
// the store closes it.
func openSharedCatalogue(ctx context.Context, cfg *config.Config) (*pgstore.Store, *pgstore.Catalogue, error) {
	pg, err := pgstore.Open(ctx, cfg.Store.PostgresDSN, pgstore.Options{Schema: cfg.Store.PostgresSchema})
	if err != nil {
		return nil, nil, fmt.Errorf("open PostgreSQL store: %w", err)
	}
	shared, err := pg.Catalogue(ctx)
	if err != nil {
		pg.Close()
		return nil, nil, err
	}
	return pg, shared, nil
}

// copyImporter prepares the import of copies from the holdings fields of
// MARC records; nil (and a no-op close) when [holdings] format is none.
func copyImporter(ctx context.Context, cfg *config.Config) (*holdings.Importer, func(), error) {
	cons, err := cfg.BuildConsortium()
	if err != nil {
		return nil, nil, err
	}
	m, err := holdings.ForConsortium(cfg.Holdings, cons)
	if err != nil {
		return nil, nil, err
	}
	if !m.Enabled() || cfg.Store.Backend == "memory" {
		// The memory store keeps nothing between runs: copies only go into
		// a running server (--server).
		return nil, func() {}, nil
	}
	svc, st, err := openCore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return &holdings.Importer{Mapper: m, Svc: svc}, func() { st.Close() }, nil
}

// maxShownProblems is how many copy problems an import prints in full.
const maxShownProblems = 20

func printCopies(w io.Writer, rep holdings.Report) {
	fmt.Fprintf(w, "  copies: %d created or updated, %d not imported\n", rep.Copies, rep.Skipped)
	for i, p := range rep.Problems {
		if i == maxShownProblems {
			fmt.Fprintf(w, "  ... %d more\n", rep.Skipped-maxShownProblems)
			break
		}
		fmt.Fprintf(w, "  %s\n", p)
	}
}
