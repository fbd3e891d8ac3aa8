package core

import (
	"context"
	"fmt"
	"time"

	"github.com/bibgate/bibgate/core/accounting"
)

// RecordFacts is what the summary register counts of a copy's
// bibliographic record, which the core does not keep: the record's
// language code (MARC 21 008/35-37, else 041 $a) and its UDC notation
// (080 $a).
type RecordFacts struct {
	Language string `json:"language,omitempty"`
	UDC      string `json:"udc,omitempty"`
}

// RecordLookup gives the facts of the records with these ids (the catalogue
// has them); a record it does not know is left out of the map.
type RecordLookup func(ctx context.Context, recordIDs []string) (map[string]RecordFacts, error)

// lookupRecords asks records (nil: no catalogue) for the facts of ids,
// each once.
func lookupRecords(ctx context.Context, records RecordLookup, ids []string) (map[string]RecordFacts, error) {
	if records == nil || len(ids) == 0 {
		return nil, nil
	}
	seen := make(map[string]bool, len(ids))
	uniq := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	facts, err := records(ctx, uniq)
	if err != nil {
		return nil, fmt.Errorf("summary register: looking up %d records: %w", len(uniq), err)
	}
	return facts, nil
}

// withFacts counts c by its record's language and UDC class; a record
// the lookup did not know counts in language other, unclassified.
func withFacts(c accounting.Copy, f RecordFacts, ok bool) accounting.Copy {
	c.Language, c.Class = accounting.OtherLanguage, accounting.Unclassified
	if ok {
		c.Language, c.Class = accounting.LanguageOf(f.Language), accounting.ClassOf(f.UDC)
	}
	return c
}

// SummaryRegister computes part 3 of the summary register (Regulation No.
// 317 §24.3, annex 5) of a library ("" every library) for a year from the
// copies' individual records, not typed in twice. records gives the
// language and UDC number of the titles (bibliographic data the core does
// not keep); nil, or a record it does not know, counts as language other,
// unclassified. A copy with a value counts on the balance sheet; one
// without (not yet valued, §5.3) off it.
func (s *Service) SummaryRegister(ctx context.Context, library string, year int, records RecordLookup) (accounting.Summary, error) {
	type rc struct {
		record string
		c      accounting.Copy
	}
	var copies []rc
	err := s.view(ctx, func(t tx) error {
		copies = copies[:0]
		return t.Scan(bItem, "", func(_ string, v []byte) error {
			var it Item
			if err := decode(v, &it); err != nil {
				return err
			}
			if library != "" && it.Library != library || it.ILL {
				return nil // ILL copies are another library's
			}
			c := accounting.Copy{Type: accounting.TypeOfMaterial(it.Material), Language: accounting.OtherLanguage,
				Class: accounting.Unclassified, OnBalance: it.Value > 0, Value: it.Value, Entered: it.Entered}
			if it.Status == ItemWithdrawn {
				c.WrittenOff = it.WriteOffDate
				if c.WrittenOff.IsZero() {
					c.WrittenOff = time.Unix(0, 0) // withdrawn before records had a date: long ago
				}
			}
			copies = append(copies, rc{it.RecordID, c})
			return nil
		})
	})
	if err != nil {
		return accounting.Summary{}, err
	}
	ids := make([]string, len(copies))
	for i, x := range copies {
		ids[i] = x.record
	}
	facts, err := lookupRecords(ctx, records, ids)
	if err != nil {
		return accounting.Summary{}, err
	}
	var loc *time.Location
	if l, ok := s.cons.Library(library); ok {
		loc = l.Calendar.Location
	} else if len(s.cons.Libraries) > 0 {
		loc = s.cons.Libraries[0].Calendar.Location
	}
	list := make([]accounting.Copy, len(copies))
	for i, x := range copies {
		f, ok := facts[x.record]
		list[i] = withFacts(x.c, f, ok)
	}
	return accounting.Summarise(year, loc, list), nil
}
