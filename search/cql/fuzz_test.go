package cql

import (
	"bufio"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error is an *Error
// with a diagnostic number, and that every accepted query renders to a
// canonical form that parses back to the same tree.
func FuzzParse(f *testing.F) {
	if fh, err := os.Open("testdata/cql2xcqlsample.txt"); err == nil {
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			if l := sc.Text(); l != "" && !strings.HasPrefix(l, "#") {
				f.Add(l)
			}
		}
		fh.Close()
	}
	p := testProfile()
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == 0 {
				t.Fatalf("Parse(%q): error %v is not a diagnostic", s, err)
			}
			return
		}
		c := q.String()
		q2, err := Parse(c)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its canonical form %q fails: %v", s, c, err)
		}
		if !reflect.DeepEqual(q, q2) {
			t.Fatalf("round trip of %q via %q changed the tree", s, c)
		}
		if c2 := q2.String(); c2 != c {
			t.Fatalf("canonical form of %q not stable: %q, %q", s, c, c2)
		}
		if n, err := p.Normalize(q); err == nil {
			if _, err := Parse(n.String()); err != nil {
				t.Fatalf("normalised %q renders as %q which fails: %v", s, n.String(), err)
			}
		}
		for _, cl := range q.Clauses() {
			_, _ = cl.Mask()
			for _, w := range SplitWords(cl.Term) {
				_, _ = ParseMask(w)
			}
		}
	})
}
