package memstore_test

import (
	"testing"

	"github.com/bibgate/bibgate/store"
	"github.com/bibgate/bibgate/store/memstore"
	"github.com/bibgate/bibgate/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, dir string) store.Store { return memstore.New() })
}
