package boltstore_test

import (
	"path/filepath"
	"testing"

	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/boltstore"
	"github.com/bibgate/bibgate/store/storetest"
)

func openIn(t *testing.T, dir string, opts boltstore.Options) *boltstore.Store {
	t.Helper()
	s, err := boltstore.Open(filepath.Join(dir, "bibgate.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.RunPersistent(t, func(t *testing.T, dir string) store.Store {
		return openIn(t, dir, boltstore.Options{})
	})
}
