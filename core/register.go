package core

import (
	"context"
	"time"

	"github.com/bibgate/bibgate/core/accounting"
)

// SummaryRegister computes part 3 of the summary register (Regulation No.
// 317 §24.3, annex 5) of a library ("" every library) for a year from the
// copies' individual records, not typed in twice. languages gives the
// language code of the records (bibliographic data the core does not
// keep); nil, or a record it does not know, counts as other. A copy with a
// value counts on the balance sheet; one without (not yet valued, §5.3)
// off it.
func (s *Service) SummaryRegister(ctx context.Context, library string, year int,
	languages func(ctx context.Context, recordIDs []string) (map[string]string, error)) (accounting.Summary, error) {
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
				OnBalance: it.Value > 0, Value: it.Value, Entered: it.Entered}
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
	if languages != nil {
		seen := map[string]bool{}
		var ids []string
		for _, x := range copies {
			if !seen[x.record] {
				seen[x.record] = true
				ids = append(ids, x.record)
			}
		}
		langs, err := languages(ctx, ids)
		if err != nil {
			return accounting.Summary{}, err
		}
		for i := range copies {
			if l, ok := langs[copies[i].record]; ok {
				copies[i].c.Language = accounting.LanguageOf(l)
			}
		}
	}
	var loc *time.Location
	if l, ok := s.cons.Library(library); ok {
		loc = l.Calendar.Location
	} else if len(s.cons.Libraries) > 0 {
		loc = s.cons.Libraries[0].Calendar.Location
	}
	list := make([]accounting.Copy, len(copies))
	for i, x := range copies {
		list[i] = x.c
	}
	return accounting.Summarise(year, loc, list), nil
}
