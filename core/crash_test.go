package core_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/store/boltstore"
)

// The crash child: when BIBGATE_CRASH_CHILD names a bolt file, the test
// binary becomes a terminal fleet that checks items out and in as fast as
// it can, printing "begin OP ITEM PATRON" before and "ack OP ITEM PATRON"
// after each acknowledged transaction, until it is killed.
func TestMain(m *testing.M) {
	if path := os.Getenv("BIBGATE_CRASH_CHILD"); path != "" {
		crashChild(path)
		return
	}
	os.Exit(m.Run())
}

const crashWorkers = 8

// crashAssignment gives each worker its own patron and four items, so that
// per item the operations are strictly sequential.
func crashAssignment() map[int][2][]string {
	out := map[int][2][]string{}
	var books []string
	for _, it := range demo.Items() {
		if it.Material == policy.MaterialBook && !it.HighDemand && !it.ReadingRoomOnly && !it.ILL && len(books) < crashWorkers*4 {
			books = append(books, it.ID)
		}
	}
	for w := 0; w < crashWorkers; w++ {
		out[w] = [2][]string{{fmt.Sprintf("P%04d", 20+w)}, books[w*4 : w*4+4]}
	}
	return out
}

func crashChild(path string) {
	ctx := context.Background()
	st, err := boltstore.Open(path, boltstore.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(3)
	}
	svc, err := core.NewService(st, demo.Consortium(), core.Options{KDF: cheapKDF})
	if err != nil {
		os.Exit(3)
	}
	if ok, err := demo.Loaded(ctx, svc); err != nil || !ok {
		if err := demo.Load(ctx, svc); err != nil {
			fmt.Fprintln(os.Stderr, "demo:", err)
			os.Exit(3)
		}
	}
	var mu sync.Mutex
	say := func(s string) { mu.Lock(); os.Stdout.WriteString(s + "\n"); mu.Unlock() }
	say("ready")
	for w, a := range crashAssignment() {
		go func(w int, patron string, items []string) {
			for {
				for _, id := range items {
					is, err := svc.Item(ctx, id)
					if err != nil {
						continue
					}
					if is.Item.Status == core.ItemOnLoan {
						say("begin checkin " + id + " " + patron)
						if _, err := svc.Checkin(ctx, core.CheckinRequest{Library: is.Item.Library, ItemID: id}); err == nil {
							say("ack checkin " + id + " " + patron)
						}
					} else {
						say("begin checkout " + id + " " + patron)
						if _, err := svc.Checkout(ctx, core.CheckoutRequest{Library: is.Item.Library, PatronID: patron, ItemID: id}); err == nil {
							say("ack checkout " + id + " " + patron)
						}
					}
				}
			}
		}(w, a[0][0], a[1])
	}
	select {}
}

// TestCrashRecovery kills the child with SIGKILL at random moments, at
// least 20 times, and checks after each reopen that every acknowledged
// transaction survived and the invariants hold.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: skipped with -short")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(1, 2))
	totalAcks := 0
	const rounds = 24
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "BIBGATE_CRASH_CHILD="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		select {
		case l := <-lines:
			if l != "ready" {
				t.Fatalf("child said %q", l)
			}
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatal("child did not start")
		}
		time.Sleep(time.Duration(20+rng.IntN(300)) * time.Millisecond)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatal(err)
		}
		_ = cmd.Wait()
		// Per item: the last acknowledged operation, and whether another
		// began after it (in flight at the kill: may or may not be there).
		type state struct {
			lastAck  string
			inFlight bool
		}
		items := map[string]*state{}
		acks := 0
		for l := range lines {
			f := strings.Fields(l)
			if len(f) != 4 {
				continue // a line cut by the kill
			}
			s := items[f[2]]
			if s == nil {
				s = &state{}
				items[f[2]] = s
			}
			switch f[0] {
			case "begin":
				s.inFlight = true
			case "ack":
				s.lastAck, s.inFlight = f[1], false
				acks++
			}
		}
		totalAcks += acks
		st, err := boltstore.Open(path, boltstore.Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		svc, _ := core.NewService(st, demo.Consortium(), core.Options{KDF: cheapKDF})
		ctx := context.Background()
		for id, s := range items {
			if s.lastAck == "" || s.inFlight {
				continue
			}
			is, err := svc.Item(ctx, id)
			if err != nil {
				t.Fatalf("round %d: item %s: %v", round, id, err)
			}
			onLoan := is.Item.Status == core.ItemOnLoan
			if (s.lastAck == "checkout") != onLoan {
				t.Errorf("round %d: item %s: acknowledged %s lost (status %s)", round, id, s.lastAck, is.Item.Status)
			}
		}
		problems, err := svc.Verify(ctx)
		if err != nil || len(problems) > 0 {
			t.Fatalf("round %d: invariants broken: %v %v", round, err, problems)
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if totalAcks < rounds {
		t.Fatalf("only %d transactions acknowledged over %d rounds: the child did no real work", totalAcks, rounds)
	}
	t.Logf("%d rounds, %d acknowledged transactions checked", rounds, totalAcks)
}
