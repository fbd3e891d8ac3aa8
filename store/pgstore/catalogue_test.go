package pgstore_test

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bibgate/bibgate/store/pgstore"
)

func openCatalogue(t *testing.T, sc *schemas, key string) (*pgstore.Store, *pgstore.Catalogue) {
	t.Helper()
	s := sc.open(t, key, pgstore.Options{})
	t.Cleanup(func() { s.Close() })
	c, err := s.Catalogue(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func rec(key, raw string) pgstore.CatalogueRecord {
	return pgstore.CatalogueRecord{Key: key, Raw: []byte(raw)}
}

// TestCatalogueWriteAndChanges: writes are numbered without gaps, a
// rewritten record moves to its new number, a deletion leaves a tombstone
// in the feed, and Replaced names what took another record's place.
func TestCatalogueWriteAndChanges(t *testing.T) {
	sc := newSchemas(t)
	_, c := openCatalogue(t, sc, "write")
	ctx := t.Context()
	if h, err := c.Head(ctx); err != nil || h != 0 {
		t.Fatalf("empty head = %d, %v", h, err)
	}
	if ok, _ := c.HasRecords(ctx); ok {
		t.Fatal("empty catalogue has records")
	}
	w, err := c.Write(ctx, []pgstore.CatalogueRecord{rec("a", "A1"), rec("b", "B1"), rec("c", "C1")})
	if err != nil || w.Head != 3 || len(w.Replaced) != 0 {
		t.Fatalf("first write: %+v, %v", w, err)
	}
	// b again, and d twice in one call: b replaces the stored one, the
	// second d the first.
	w, err = c.Write(ctx, []pgstore.CatalogueRecord{rec("b", "B2"), rec("d", "D1"), rec("d", "D2")})
	if err != nil || w.Head != 5 || !slices.Equal(sortedCopy(w.Replaced), []string{"b", "d"}) {
		t.Fatalf("second write: %+v, %v", w, err)
	}
	w, err = c.Write(ctx, []pgstore.CatalogueRecord{{Key: "a", Deleted: true}})
	if err != nil || w.Head != 6 {
		t.Fatalf("delete: %+v, %v", w, err)
	}
	got, err := c.Changes(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var desc []string
	for _, r := range got {
		desc = append(desc, fmt.Sprintf("%d:%s:%s:%v", r.Seq, r.Key, r.Raw, r.Deleted))
	}
	want := []string{"3:c:C1:false", "4:b:B2:false", "5:d:D2:false", "6:a::true"}
	if !slices.Equal(desc, want) {
		t.Errorf("changes = %q, want %q", desc, want)
	}
	if got, _ := c.Changes(ctx, 4, 1); len(got) != 1 || got[0].Key != "d" {
		t.Errorf("changes after 4, limit 1 = %+v", got)
	}
	if got[0].Age < 0 || got[0].Age > time.Minute {
		t.Errorf("age of a fresh change = %v", got[0].Age)
	}
	if ok, _ := c.HasRecords(ctx); !ok {
		t.Error("catalogue with records says it has none")
	}
}

// TestCatalogueIdentSurvivesReopen: the feed keeps its identity across
// opens, and another schema's feed has another.
func TestCatalogueIdentSurvivesReopen(t *testing.T) {
	sc := newSchemas(t)
	_, c1 := openCatalogue(t, sc, "ident")
	_, c2 := openCatalogue(t, sc, "ident")
	_, other := openCatalogue(t, sc, "ident-other")
	if c1.Ident() == "" || c1.Ident() != c2.Ident() || c1.Ident() == other.Ident() {
		t.Errorf("idents %q %q %q", c1.Ident(), c2.Ident(), other.Ident())
	}
}

// TestCatalogueConcurrentWritersNeverSkipped: writers on several
// connections and a reader that only ever asks for changes after the last
// number it has seen (as a follower does). If a change could commit with a
// number below one already seen, the reader would miss it.
func TestCatalogueConcurrentWritersNeverSkipped(t *testing.T) {
	sc := newSchemas(t)
	_, c := openCatalogue(t, sc, "concurrent")
	ctx := t.Context()
	const writers, writes = 6, 40
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range writes {
				batch := []pgstore.CatalogueRecord{rec(fmt.Sprintf("w%d-%d", w, i), "x")}
				if i%3 == 0 {
					batch = append(batch, rec(fmt.Sprintf("w%d-%d-extra", w, i), "y"))
				}
				if _, err := c.Write(ctx, batch); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	seen := map[string]bool{}
	var after int64
	read := func() {
		rows, err := c.Changes(ctx, after, 7)
		if err != nil {
			t.Error(err)
			return
		}
		for _, r := range rows {
			if r.Seq <= after {
				t.Fatalf("change %d after %d", r.Seq, after)
			}
			after = r.Seq
			seen[r.Key] = true
		}
	}
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		read()
	}
	for {
		n := len(seen)
		read()
		if len(seen) == n {
			break
		}
	}
	select {
	case err := <-errc:
		t.Fatal(err)
	default:
	}
	want := writers * (writes + (writes+2)/3)
	if len(seen) != want {
		t.Errorf("reader saw %d records, %d were written", len(seen), want)
	}
	if h, _ := c.Head(ctx); h != int64(want) || after != h {
		t.Errorf("head %d, reader at %d, want both %d", h, after, want)
	}
}

// TestCatalogueListen: a commit wakes a listener with the new head.
func TestCatalogueListen(t *testing.T) {
	sc := newSchemas(t)
	_, c := openCatalogue(t, sc, "listen")
	_, other := openCatalogue(t, sc, "listen-elsewhere")
	ctx := t.Context()
	heads := make(chan int64, 10)
	ready := make(chan struct{})
	go func() {
		if err := c.Listen(ctx, func() { close(ready) }, func(h int64) { heads <- h }); err != nil {
			t.Error(err)
		}
	}()
	<-ready
	if _, err := other.Write(ctx, []pgstore.CatalogueRecord{rec("x", "X")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(ctx, []pgstore.CatalogueRecord{rec("a", "A"), rec("b", "B")}); err != nil {
		t.Fatal(err)
	}
	select {
	case h := <-heads:
		if h != 2 {
			t.Errorf("woken with head %d, want 2 (a write in another schema woke it?)", h)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification within 5 s of a commit")
	}
	got, _ := c.Changes(ctx, 0, 10)
	if len(got) != 2 || !bytes.Equal(got[1].Raw, []byte("B")) {
		t.Errorf("changes %+v", got)
	}
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
