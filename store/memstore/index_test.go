package memstore

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestIndexAgainstSortedSlice drives the block index through enough inserts
// and removals to split and drop many blocks, comparing it after every step
// batch with a plain sorted slice.
func TestIndexAgainstSortedSlice(t *testing.T) {
	cases := []struct {
		name     string
		key      func(r *rand.Rand) string
		removeOf int // remove one key in removeOf steps
	}{
		{"random keys", func(r *rand.Rand) string { return strconv.Itoa(r.IntN(20000)) }, 3},
		{"ascending keys", nil, 4},
		{"mostly removals", func(r *rand.Rand) string { return strconv.Itoa(r.IntN(3000)) }, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			var x index
			var want []string
			next := 0
			for step := range 30000 {
				if len(want) > 0 && r.IntN(tc.removeOf) == 0 {
					k := want[r.IntN(len(want))]
					x.remove(k)
					i, _ := slices.BinarySearch(want, k)
					want = slices.Delete(want, i, i+1)
				} else {
					var k string
					if tc.key == nil {
						k = strconv.Itoa(1e6 + next)
						next++
					} else {
						k = tc.key(r)
					}
					if i, found := slices.BinarySearch(want, k); !found {
						x.insert(k)
						want = slices.Insert(want, i, k)
					}
				}
				if step%1000 != 999 {
					continue
				}
				var got []string
				x.ascend("", func(k string) bool { got = append(got, k); return true })
				if !slices.Equal(got, want) {
					t.Fatalf("step %d: index holds %d keys, want %d", step, len(got), len(want))
				}
				for _, b := range x.blocks {
					if len(b) == 0 || len(b) > blockMax {
						t.Fatalf("step %d: block of %d keys", step, len(b))
					}
				}
				from := strconv.Itoa(r.IntN(20000))
				got = got[:0]
				x.ascend(from, func(k string) bool { got = append(got, k); return len(got) < 10 })
				i, _ := slices.BinarySearch(want, from)
				if w := want[i:min(i+10, len(want))]; !slices.Equal(got, w) {
					t.Fatalf("step %d: ascend(%q) = %q, want %q", step, from, got, w)
				}
			}
		})
	}
}
