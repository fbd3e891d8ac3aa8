package catalog

import (
	"context"
	"strings"

	"github.com/bibgate/bibgate/marc"
)

// Languages returns the language code of each record with one of keys
// (its 001): 008/35-37, or the first 041 $a when 008 has none. Records
// not in the catalogue, or with no language, are left out. The summary
// register counts copies by it.
func (c *Catalogue) Languages(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	var ids []uint32
	var idKeys []string
	flush := func() error {
		if len(ids) == 0 {
			return nil
		}
		recs, err := c.Parsed(ctx, ids)
		if err != nil {
			return err
		}
		for i, rec := range recs {
			if rec == nil {
				continue
			}
			if lang := recordLanguage(rec); lang != "" {
				out[idKeys[i]] = lang
			}
		}
		ids, idKeys = ids[:0], idKeys[:0]
		return nil
	}
	for _, k := range keys {
		id, ok, err := c.idx.ID(ctx, k)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		ids, idKeys = append(ids, id), append(idKeys, k)
		if len(ids) == 1000 {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	return out, flush()
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
