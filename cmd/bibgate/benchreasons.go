package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
)

// printReasons lists why requests were refused, most frequent first.
func printReasons(w io.Writer, reasons map[string]int) {
	type kv struct {
		reason string
		n      int
	}
	var all []kv
	for r, n := range reasons {
		all = append(all, kv{r, n})
	}
	slices.SortFunc(all, func(a, b kv) int { return cmp.Or(b.n-a.n, cmp.Compare(a.reason, b.reason)) })
	for _, r := range all {
		fmt.Fprintf(w, "  denied %7d  %s\n", r.n, r.reason)
	}
}

// demoLoans are the copies demo.Load lends to the patron at the loan
// limit: the first five ordinary books among the last sixty title copies.
func demoLoans() map[string]bool {
	items := demo.Items()
	out := map[string]bool{}
	titleCopies := len(demo.Titles()) * 30
	for _, it := range items[titleCopies-60 : titleCopies] {
		if len(out) == 5 {
			break
		}
		if it.Material != policy.MaterialBook || it.ReadingRoomOnly || it.ILL || it.HighDemand {
			continue
		}
		out[it.ID] = true
	}
	return out
}
