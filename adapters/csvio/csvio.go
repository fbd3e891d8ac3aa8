// Package csvio reads and writes bibgate's patron and copy lists as CSV:
// the columns are documented in Patron columns and Item columns below (and
// in README). A bad line is reported with its line number, column and
// reason and skipped; it never stops the rest, and a patron or copy is
// written whole or not at all. A PIN is never echoed in any message.
package csvio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// LineError is one rejected line.
type LineError struct {
	Line   int    `json:"line"`   // 1-based line of the file (the header is line 1)
	Column string `json:"column"` // column name, "" for the whole line
	Reason string `json:"reason"`
}

func (e LineError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// Report summarises an import.
type Report struct {
	Lines    int           `json:"lines"`    // data lines read
	Imported int           `json:"imported"` // created or updated (would be, with DryRun)
	Created  int           `json:"created"`
	Updated  int           `json:"updated"`
	Errors   []LineError   `json:"errors,omitempty"`
	DryRun   bool          `json:"dry_run,omitempty"`
	Elapsed  time.Duration `json:"elapsed"`
}

// Options tune an import.
type Options struct {
	// DryRun checks every line and reports without writing.
	DryRun bool
	// Batch is the number of lines written per transaction (default 500).
	Batch int
	// Progress is called with the lines done so far and the total.
	Progress func(done, total int)
}

// row is one data line: its line number and values by column.
type row struct {
	line int
	get  func(col string) string
}

// table is a parsed file: the known columns present, and the rows.
type table struct {
	cols map[string]int
	rows []row
	errs []LineError
}

// readTable reads a CSV file with a header line naming its columns (any
// case, any order). Comma or semicolon separated (as spreadsheets in the
// Baltics write), UTF-8 with or without a byte-order mark. Every column
// must be one of known; required must all be present.
func readTable(r io.Reader, known []string, required ...string) (*table, error) {
	br := bufio.NewReader(r)
	if b, _ := br.Peek(3); bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(4096)
	first, _, _ := bytes.Cut(head, []byte{'\n'})
	cr := csv.NewReader(br)
	if bytes.Count(first, []byte{';'}) > bytes.Count(first, []byte{','}) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("line 1: empty file: a header line naming the columns is needed")
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: header: %w", err)
	}
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	t := &table{cols: map[string]int{}}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !isKnown[h] {
			return nil, fmt.Errorf("line 1: unknown column %q (columns: %s)", h, strings.Join(known, ", "))
		}
		if _, dup := t.cols[h]; dup {
			return nil, fmt.Errorf("line 1: column %q appears twice", h)
		}
		t.cols[h] = i
	}
	for _, req := range required {
		alts := strings.Split(req, "|")
		found := false
		for _, a := range alts {
			if _, ok := t.cols[a]; ok {
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("line 1: column %s is required", strings.Join(alts, " or "))
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			t.errs = append(t.errs, LineError{Line: pe.StartLine, Reason: "unreadable CSV: " + pe.Err.Error()})
			if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
				continue
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(rec) != len(header) {
			t.errs = append(t.errs, LineError{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		bad := ""
		for name, i := range t.cols {
			if !utf8.ValidString(rec[i]) {
				bad = name
			}
		}
		if bad != "" {
			t.errs = append(t.errs, LineError{Line: line, Column: bad, Reason: "not UTF-8 text (save the file as UTF-8)"})
			continue
		}
		cols := t.cols
		t.rows = append(t.rows, row{line: line, get: func(col string) string {
			if i, ok := cols[col]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}})
	}
	return t, nil
}

// has reports whether the file has column col.
func (t *table) has(col string) bool { _, ok := t.cols[col]; return ok }

// parseBool reads yes/no in the forms spreadsheets and old systems write.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "y", "yes", "true", "jā", "ja", "j", "da", "x":
		return true, nil
	case "0", "n", "no", "false", "nē", "ne", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no (1/0, yes/no, true/false, jā/nē)", s)
}

// parseDate reads YYYY-MM-DD or DD.MM.YYYY.
func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02", "02.01.2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD or DD.MM.YYYY)", s)
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func formatBool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// validID checks a card number or barcode: printable, no spaces, and no
// "|" (the SIP2 field separator).
func validID(s string) error {
	if s == "" {
		return errors.New("empty")
	}
	if len(s) > 64 {
		return errors.New("longer than 64 characters")
	}
	for _, r := range s {
		if r <= ' ' || r == '|' || r == 0x7f {
			return fmt.Errorf("%q contains a space, a control character or |", s)
		}
	}
	return nil
}

func sortErrors(es []LineError) {
	slices.SortStableFunc(es, func(a, b LineError) int { return a.Line - b.Line })
}
