package sip2server

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bibgate/bibgate/sip2"
)

// TestReplayOnlySameSequence: the replay cache answers only what is a
// retransmission. With AY, the same bytes (same sequence number) are
// replayed and the next number runs; without AY an identical request runs
// again (a second 15- must not get the stale answer of the first), unless
// the account sets a replay window and the request comes within it.
func TestReplayOnlySameSequence(t *testing.T) {
	const holdCancel = "15-20250314    101500AOLNB|AAP100|ABI200|AC|ADpin4321|"
	var mu sync.Mutex
	now := clock
	fx := newFixture(t, func(s *Server) {
		s.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	})
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	tests := []struct {
		name    string
		account string
		first   string
		second  string
		wait    time.Duration
		runs    int // times the backend ran the request
	}{
		{"same AY replayed", "kiosk1", withChecksum(holdCancel, 1), withChecksum(holdCancel, 1), 0, 1},
		{"next AY runs", "kiosk1", withChecksum(holdCancel, 1), withChecksum(holdCancel, 2), 0, 2},
		{"no AY runs twice", "kiosk1", holdCancel, holdCancel, 0, 2},
		{"no AY, checksum without AY runs twice", "kiosk1", withChecksumNoSeq(holdCancel), withChecksumNoSeq(holdCancel), 0, 2},
		{"no AY within the window replayed", "window", holdCancel, holdCancel, time.Second, 1},
		{"no AY after the window runs", "window", holdCancel, holdCancel, 4 * time.Second, 2},
		{"query within the window runs", "window", item17, item17, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := fx.dial(t)
			login(t, c, tc.account, map[string]string{"kiosk1": "s3cret", "window": "pw"}[tc.account])
			code := tc.first[:2]
			before := fx.backend.count(code)
			c.send(tc.first)
			advance(tc.wait)
			c.send(tc.second)
			if got := fx.backend.count(code) - before; got != tc.runs {
				t.Errorf("ran %d times, want %d", got, tc.runs)
			}
		})
	}
}

func withChecksumNoSeq(msg string) string {
	b := []byte(msg + "AZ")
	return string(b) + strings.ToUpper(hex4(sip2.Checksum(b)))
}
