package recordcache

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/bibgate/bibgate/marc"
)

func record(t testing.TB, id, title string) []byte {
	t.Helper()
	raw, err := marc.Marshal(&marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
		{Tag: "001", Value: id},
		{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: title}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func titleOf(r *marc.Record) ([]byte, error) { return []byte(r.First("245").Sub('a')), nil }

func TestRenderCachesUntilTheRecordChanges(t *testing.T) {
	c := New(1 << 20)
	calls := 0
	render := func(r *marc.Record) ([]byte, error) { calls++; return titleOf(r) }
	v1 := record(t, "r1", "First title")
	tests := []struct {
		name      string
		raw       []byte
		format    string
		want      string
		wantCalls int
	}{
		{"miss renders", v1, "title", "First title", 1},
		{"hit copies", v1, "title", "First title", 1},
		{"other format renders", v1, "title2", "First title", 2},
		{"changed record renders again", record(t, "r1", "Second title"), "title", "Second title", 3},
		{"and is cached again", record(t, "r1", "Second title"), "title", "Second title", 3},
	}
	for _, tt := range tests {
		got, err := c.Render(1, tt.raw, tt.format, render)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if string(got) != tt.want || calls != tt.wantCalls {
			t.Errorf("%s: got %q after %d renders, want %q after %d", tt.name, got, calls, tt.want, tt.wantCalls)
		}
	}
	if h, m := c.Stats(); h == 0 || m == 0 {
		t.Errorf("stats: %d hits, %d misses", h, m)
	}
}

func TestRenderErrorsAreNotCached(t *testing.T) {
	c := New(1 << 20)
	boom := errors.New("boom")
	calls := 0
	render := func(*marc.Record) ([]byte, error) { calls++; return nil, boom }
	raw := record(t, "r1", "T")
	for range 2 {
		if _, err := c.Render(1, raw, "x", render); !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
	}
	if calls != 2 {
		t.Errorf("render called %d times, want 2", calls)
	}
	if _, err := c.Render(2, []byte("not marc"), "x", titleOf); err == nil {
		t.Error("garbage rendered without error")
	}
}

func TestEvictionKeepsTheBound(t *testing.T) {
	const limit = 64 << 10
	c := New(limit)
	big := strings.Repeat("x", 1000)
	for i := range 1000 {
		raw := record(t, fmt.Sprint(i), big)
		if _, err := c.Render(uint32(i), raw, "title", titleOf); err != nil {
			t.Fatal(err)
		}
		c.mu.Lock()
		over := c.bytes > limit
		c.mu.Unlock()
		if over {
			t.Fatalf("after %d records the cache holds %d bytes, more than %d", i+1, c.bytes, limit)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.origin) > c.lru.Len() || len(c.entries) != c.lru.Len() {
		t.Errorf("bookkeeping out of step: %d origins, %d entries, %d in list", len(c.origin), len(c.entries), c.lru.Len())
	}
	// The most recent record is still there, the first one is gone.
	if _, ok := c.entries[key{id: 999, format: "title"}]; !ok {
		t.Error("most recent rendering evicted")
	}
	if _, ok := c.entries[key{id: 0, format: "title"}]; ok {
		t.Error("oldest rendering kept beyond the bound")
	}
}

func TestRenderParsed(t *testing.T) {
	c := New(1 << 20)
	raw := record(t, "r1", "Parsed")
	rec, err := c.Parse(7, raw)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	render := func(r *marc.Record) ([]byte, error) { calls++; return titleOf(r) }
	for range 3 {
		if got, err := c.RenderParsed(rec, "t", render); err != nil || string(got) != "Parsed" {
			t.Fatalf("got %q, %v", got, err)
		}
	}
	if calls != 1 {
		t.Errorf("a record from Parse rendered %d times, want 1", calls)
	}
	// The same rendering is found by id and raw bytes.
	if _, err := c.Render(7, raw, "t", func(*marc.Record) ([]byte, error) { t.Error("rendered again"); return nil, nil }); err != nil {
		t.Fatal(err)
	}
	// A record the cache never handed out is rendered every time.
	other := &marc.Record{Leader: rec.Leader, Fields: rec.Fields}
	for range 2 {
		if _, err := c.RenderParsed(other, "t", render); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 3 {
		t.Errorf("foreign record rendered %d times in all, want 3", calls)
	}
	if again, _ := c.Parse(7, raw); again != rec {
		t.Error("Parse of the same bytes gave a new record")
	}
}

func TestConcurrentUse(t *testing.T) {
	c := New(32 << 10)
	raws := make([][]byte, 50)
	for i := range raws {
		raws[i] = record(t, fmt.Sprint(i), fmt.Sprintf("Title %d %s", i, strings.Repeat("y", 500)))
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				id := (i*7 + g) % len(raws)
				got, err := c.Render(uint32(id), raws[id], "title", titleOf)
				if err != nil || !strings.HasPrefix(string(got), fmt.Sprintf("Title %d ", id)) {
					t.Errorf("record %d: %.20q, %v", id, got, err)
					return
				}
				rec, err := c.Parse(uint32(id), raws[id])
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := c.RenderParsed(rec, "p", titleOf); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
