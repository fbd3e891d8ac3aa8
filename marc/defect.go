package marc

import "fmt"

// DefectKind grades a Defect by what happened to the record.
type DefectKind int

const (
	// DefectEncoding: the record is complete, but its text was not in the
	// character set leader/09 declares, or held characters that had to be
	// replaced (U+FFFD) or were replaced before. Imports usually count
	// these and go on.
	DefectEncoding DefectKind = iota + 1
	// DefectRepaired: the record's structure was broken and has been
	// salvaged (bad lengths, indicators, subfield codes, terminators, stray
	// control characters). The record is returned; some of it may be
	// missing or guessed.
	DefectRepaired
	// DefectDropped: nothing usable was found; no record is returned.
	DefectDropped
)

func (k DefectKind) String() string {
	switch k {
	case DefectEncoding:
		return "encoding"
	case DefectRepaired:
		return "repaired"
	case DefectDropped:
		return "dropped"
	}
	return fmt.Sprintf("DefectKind(%d)", int(k))
}

// Defect reports a record that was not well formed. It is returned as the
// error of Next together with the salvaged record (Kind DefectEncoding or
// DefectRepaired) or with a nil record (DefectDropped); either way the
// reader can go on with the next record.
type Defect struct {
	Record int        // 1-based position of the record in the stream
	Offset int64      // byte offset of the record in the stream (XML: of its start tag)
	Kind   DefectKind // the worst thing that happened
	Reason string     // every problem found, separated by "; "
}

func (d *Defect) Error() string {
	return fmt.Sprintf("marc: record %d at byte %d: %s: %s", d.Record, d.Offset, d.Kind, d.Reason)
}

// problems collects what is wrong with one record.
type problems struct {
	list  []string
	worst DefectKind
}

func (p *problems) add(kind DefectKind, format string, args ...any) {
	if len(p.list) < maxProblems {
		p.list = append(p.list, fmt.Sprintf(format, args...))
	} else if len(p.list) == maxProblems {
		p.list = append(p.list, "more problems not listed")
	}
	if kind > p.worst {
		p.worst = kind
	}
}

// maxProblems bounds the length of a Defect's Reason.
const maxProblems = 20

func (p *problems) defect(record int, offset int64) *Defect {
	if p.worst == 0 {
		return nil
	}
	reason := ""
	for i, s := range p.list {
		if i > 0 {
			reason += "; "
		}
		reason += s
	}
	return &Defect{Record: record, Offset: offset, Kind: p.worst, Reason: reason}
}
