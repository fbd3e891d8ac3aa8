package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/bibgate/bibgate/catalog"
)

// printReplaced says how many stored records replaced another with the
// same 001 and names the first of them, so that "151 read, 150 in the
// catalogue" never goes without a word.
func printReplaced(w io.Writer, rep catalog.ImportReport) {
	if rep.Replaced == 0 {
		return
	}
	fmt.Fprintf(w, "  replaced: %d stored over a record with the same 001 (already in the catalogue or earlier in the input)", rep.Replaced)
	if len(rep.ReplacedKeys) > 0 {
		keys := rep.ReplacedKeys[:min(len(rep.ReplacedKeys), maxShownDefects)]
		more := ""
		if rep.Replaced > len(keys) {
			more = fmt.Sprintf(", ... %d more", rep.Replaced-len(keys))
		}
		fmt.Fprintf(w, " (001: %s%s)", strings.Join(keys, ", "), more)
	}
	fmt.Fprintln(w)
}
