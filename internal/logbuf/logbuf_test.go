package logbuf

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuf struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Lines written concurrently all arrive whole, in fewer writes than lines,
// and Close flushes the rest.
func TestLinesArriveWholeAndBatched(t *testing.T) {
	var out lockedBuf
	w := New(&out, 4096, time.Hour)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				fmt.Fprintf(w, "{\"g\":%d,\"i\":%d,\"pad\":\"%s\"}\n", g, i, strings.Repeat("x", i%50))
			}
		}(g)
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4000 {
		t.Fatalf("%d lines, want 4000", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "{\"g\":") || !strings.HasSuffix(l, "\"}") {
			t.Fatalf("torn line %q", l)
		}
	}
	if out.writes >= 4000/10 {
		t.Errorf("%d writes for 4000 lines: not batched", out.writes)
	}
}

func TestIntervalFlush(t *testing.T) {
	var out lockedBuf
	w := New(&out, 1<<16, 20*time.Millisecond)
	defer w.Close()
	fmt.Fprintln(w, "hello")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "hello") {
		if time.Now().After(deadline) {
			t.Fatal("line never flushed")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
