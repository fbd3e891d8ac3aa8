package catalog_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/marc"
)

// TestRomanisationMarksFromMARC8: the MARC-8 specials alif, ayn, soft and
// hard sign become U+02BC, U+02BB, U+02B9 and U+02BA, which a search
// without them still finds.
func TestRomanisationMarksFromMARC8(t *testing.T) {
	c := openTemp(t, nil)
	rec := func(id, title string) *marc.Record {
		return &marc.Record{Leader: "00000nam  2200000 a 4500", Fields: []marc.Field{ // leader/09 blank: MARC-8
			{Tag: "001", Value: id},
			{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: title}}},
		}}
	}
	titles := map[string]string{
		"ar": "Kit\xe5ab al-qa\xf2d\xe5a\xae", // Kitāb al-qaḍāʼ, alif 0xAE
		"uk": "Kozlovs\xa7ky\xe6i",            // Kozlovsʹkyĭ, soft sign 0xA7, breve 0xE6
		"ru": "S\xb7ezd",                      // Sʺezd, hard sign 0xB7
		"zh": "Ch\xb0ing",                     // Chʻing, ayn 0xB0
	}
	// marc.Marshal writes UTF-8 only: write placeholders of the same
	// length, then put the MARC-8 bytes in their place.
	var recs []*marc.Record
	for _, id := range []string{"ar", "uk", "ru", "zh"} {
		recs = append(recs, rec(id, placeholder(id, len(titles[id]))))
	}
	data := marcFile(t, recs...)
	for id, title := range titles {
		data = bytes.Replace(data, []byte(placeholder(id, len(title))), []byte(title), 1)
	}
	importBytes(t, c, data)
	for _, tt := range []struct{ q, want string }{
		{"dc.title = qada", "ar"},
		{"dc.title = kozlovskyi", "uk"},
		{"dc.title = sezd", "ru"},
		{"dc.title = ching", "zh"},
	} {
		keys := cqlKeys(t, c, tt.q)
		if len(keys) != 1 || keys[0] != tt.want {
			t.Errorf("%s = %v, want [%s]", tt.q, keys, tt.want)
		}
	}
}

func placeholder(id string, n int) string {
	return id + strings.Repeat("x", n-len(id))
}
