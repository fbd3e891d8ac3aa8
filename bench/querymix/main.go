// Command querymix draws the catalogue benchmark's query mix from a MARC
// file: for evenly spaced records, a title word, the author's surname, the
// exact ISBN, a subject word and title word AND surname, written once as
// PQF (one query a line, Bib-1 use attributes 4, 1003, 7, 21) and once as
// the same queries in CQL.
//
//	go run ./bench/querymix -in cat.mrc -n 40 -pqf bench/queries.pqf -cql bench/queries.cql
//
// Terms keep the record's spelling, so servers that fold neither case nor
// diacritics (Zebra's default character map) find the same records.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"

	"github.com/bibgate/bibgate/marc"
)

func main() {
	in := flag.String("in", "", "MARC file (ISO 2709 or MARCXML)")
	n := flag.Int("n", 40, "records to draw from (5 queries each)")
	pqfOut := flag.String("pqf", "queries.pqf", "PQF output file")
	cqlOut := flag.String("cql", "queries.cql", "CQL output file")
	flag.Parse()
	if err := run(*in, *n, *pqfOut, *cqlOut); err != nil {
		fmt.Fprintln(os.Stderr, "querymix:", err)
		os.Exit(1)
	}
}

type source struct{ title, surname, isbn, subject string }

func run(in string, n int, pqfOut, cqlOut string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	rd, _, err := marc.NewAutoReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return err
	}
	var all []source
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		if rec == nil {
			continue
		}
		if s, ok := sourceOf(rec); ok {
			all = append(all, s)
		}
	}
	if len(all) < n || n <= 0 {
		return fmt.Errorf("only %d usable records for %d", len(all), n)
	}
	var pqf, cql strings.Builder
	step := len(all) / n
	for i := 0; i < n; i++ {
		s := all[i*step]
		fmt.Fprintf(&pqf, "@attr 1=4 %s\n@attr 1=1003 %s\n@attr 1=7 %s\n@attr 1=21 %s\n@and @attr 1=4 %s @attr 1=1003 %s\n",
			s.title, s.surname, s.isbn, s.subject, s.title, s.surname)
		fmt.Fprintf(&cql, "dc.title = %s\ndc.creator = %s\nbath.isbn = %s\ndc.subject = %s\ndc.title = %s and dc.creator = %s\n",
			s.title, s.surname, s.isbn, s.subject, s.title, s.surname)
	}
	if err := os.WriteFile(pqfOut, []byte(pqf.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(cqlOut, []byte(cql.String()), 0o644)
}

// sourceOf picks the terms of one record: the longest word of 245 $a, the
// surname of 100 $a, a plain 13-digit 020 $a and the longest word of the
// first 650 $a. Records lacking any of them are skipped.
func sourceOf(rec *marc.Record) (source, bool) {
	var s source
	if f := rec.First("245"); f != nil {
		s.title = longestWord(f.Sub('a'))
	}
	if f := rec.First("100"); f != nil {
		name, _, _ := strings.Cut(f.Sub('a'), ",")
		s.surname = longestWord(name)
	}
	if f := rec.First("020"); f != nil {
		if v := f.Sub('a'); len(v) == 13 && strings.HasPrefix(v, "97") && allDigits(v) {
			s.isbn = v
		}
	}
	if f := rec.First("650"); f != nil {
		s.subject = longestWord(f.Sub('a'))
	}
	return s, s.title != "" && s.surname != "" && s.isbn != "" && s.subject != ""
}

// longestWord returns the longest run of letters (at least 4) in s.
func longestWord(s string) string {
	best := ""
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) > len([]rune(best)) {
			best = w
		}
	}
	if len([]rune(best)) < 4 {
		return ""
	}
	return best
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
