package catalog

import (
	"context"
	"fmt"
	"strings"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/marc"
)

// Languages returns the language code of each record with one of keys
// (its 001): 008/35-37, or the first 041 $a when 008 has none. Records
// not in the catalogue, or with no language, are left out.
func (c *Catalogue) Languages(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	err := c.eachRecord(ctx, keys, func(key string, rec *marc.Record) {
		if lang := recordLanguage(rec); lang != "" {
			out[key] = lang
		}
	})
	return out, err
}

// RegisterFacts returns what the summary register counts of each record
// with one of keys (its 001): its language as Languages gives it and its
// UDC notation, the first 080 $a. Records not in the catalogue are left
// out; one with neither is in the map with both empty (known, but
// language other and unclassified). It is a core.RecordLookup.
func (c *Catalogue) RegisterFacts(ctx context.Context, keys []string) (map[string]core.RecordFacts, error) {
	out := make(map[string]core.RecordFacts, len(keys))
	err := c.eachRecord(ctx, keys, func(key string, rec *marc.Record) {
		out[key] = core.RecordFacts{Language: recordLanguage(rec), UDC: recordUDC(rec)}
	})
	return out, err
}

// eachRecord calls fn with each record of keys the catalogue has, reading
// them a thousand at a time.
func (c *Catalogue) eachRecord(ctx context.Context, keys []string, fn func(key string, rec *marc.Record)) error {
	var ids []uint32
	var idKeys []string
	flush := func() error {
		if len(ids) == 0 {
			return nil
		}
		recs, err := c.Parsed(ctx, ids)
		if err != nil {
			return fmt.Errorf("catalogue: reading %d records: %w", len(ids), err)
		}
		for i, rec := range recs {
			if rec != nil {
				fn(idKeys[i], rec)
			}
		}
		ids, idKeys = ids[:0], idKeys[:0]
		return nil
	}
	for _, k := range keys {
		id, ok, err := c.idx.ID(ctx, k)
		if err != nil {
			return fmt.Errorf("catalogue: record %q: %w", k, err)
		}
		if !ok {
			continue
		}
		ids, idKeys = append(ids, id), append(idKeys, k)
		if len(ids) == 1000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// recordUDC is the first non-empty 080 $a (Universal Decimal
// Classification number), trimmed.
func recordUDC(rec *marc.Record) string {
	for _, f := range rec.FieldsByTag("080") {
		if a := strings.TrimSpace(f.Sub('a')); a != "" {
			return a
		}
	}
	return ""
}

// recordLanguage is 008/35-37, or the first 041 $a: blank, "|||", "und"
// and "zxx" are no language.
func recordLanguage(rec *marc.Record) string {
	ok := func(s string) bool {
		s = strings.TrimSpace(s)
		return len(s) == 3 && s != "|||" && s != "und" && s != "zxx" && s != "mul"
	}
	if f := rec.First("008"); f != nil && len(f.Value) >= 38 && ok(f.Value[35:38]) {
		return strings.ToLower(f.Value[35:38])
	}
	if f := rec.First("041"); f != nil {
		if a := f.Sub('a'); len(a) >= 3 && ok(a[:3]) {
			return strings.ToLower(a[:3])
		}
	}
	return ""
}
