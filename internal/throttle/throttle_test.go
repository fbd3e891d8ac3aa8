package throttle

import (
	"testing"
	"time"
)

func TestThrottleLocksAfterLimit(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		fails  []time.Duration // offsets of failures
		at     time.Duration   // when Locked is asked
		locked bool
	}{
		{"under the limit", []time.Duration{0, time.Second}, 2 * time.Second, false},
		{"at the limit", []time.Duration{0, time.Second, 2 * time.Second}, 3 * time.Second, true},
		{"lockout over", []time.Duration{0, time.Second, 2 * time.Second}, 2*time.Second + 10*time.Minute, false},
		{"failures too far apart", []time.Duration{0, 2 * time.Minute, 4 * time.Minute}, 4*time.Minute + time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			th := New(Settings{Limit: 3, Window: time.Minute, Lockout: 10 * time.Minute})
			for _, d := range tc.fails {
				th.Fail("k", t0.Add(d))
			}
			if got, _ := th.Locked("k", t0.Add(tc.at)); got != tc.locked {
				t.Errorf("locked = %v, want %v", got, tc.locked)
			}
			if got, _ := th.Locked("other", t0.Add(tc.at)); got {
				t.Error("another key is locked")
			}
		})
	}
}

func TestThrottleResetAndBounds(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	th := New(Settings{Limit: 2, Window: time.Minute, Lockout: time.Hour})
	th.Fail("k", t0)
	th.Reset("k", t0) // a success starts the count again
	if th.Fail("k", t0) {
		t.Error("locked after a reset and one failure")
	}
	if !th.Fail("k", t0) {
		t.Error("not locked after two failures")
	}
	th.Reset("k", t0) // a success does not lift a lockout
	if locked, _ := th.Locked("k", t0.Add(time.Minute)); !locked {
		t.Error("reset lifted the lockout")
	}
	var zero *Throttle
	if zero.Fail("k", t0) {
		t.Error("nil throttle locks")
	}
	small := &Throttle{Settings: Settings{Limit: 1, Window: time.Minute, Lockout: time.Hour}, MaxKeys: 2}
	small.Fail("a", t0)
	small.Fail("b", t0)
	small.Fail("c", t0) // no room: not counted, but earlier locks stay
	if l, _ := small.Locked("a", t0); !l {
		t.Error("a forgotten")
	}
}
