package accounting

import (
	"strings"
	"testing"
	"time"
)

// TestReasonsAreSection33: the write-off reasons are exactly the eight
// criteria of §33, in its order, with its wording.
func TestReasonsAreSection33(t *testing.T) {
	want := []struct{ code, para, latvianStart string }{
		{ReasonOutdated, "33.1", "novecojuši pēc satura"},
		{ReasonDuplicates, "33.2", "liekie dubleti, stereotipie dubleti"},
		{ReasonOutOfProfile, "33.3", "bibliotēkas krājuma profilam neatbilstoši"},
		{ReasonWornOut, "33.4", "nolietoti iespieddarbi"},
		{ReasonDisaster, "33.5", "bojāti stihisku nelaimju dēļ"},
		{ReasonLost, "33.6", "nozaudētie iespieddarbi"},
		{ReasonPatronFault, "33.7", "iespieddarbi un citi dokumenti nav atgūstami bibliotēkas lietotāja vainas dēļ"},
		{ReasonExchange, "33.8", "iespieddarbi un citi dokumenti, kas iekļauti apmaiņas krājumā"},
	}
	got := Reasons()
	if len(got) != len(want) {
		t.Fatalf("%d reasons, §33 has %d", len(got), len(want))
	}
	for i, w := range want {
		r := got[i]
		if r.Code != w.code || r.Paragraph != w.para || !strings.HasPrefix(r.Latvian, w.latvianStart) || r.English == "" {
			t.Errorf("reason %d = %+v, want §%s %q %q...", i, r, w.para, w.code, w.latvianStart)
		}
		for _, key := range []string{w.code, w.para, strings.ToUpper(w.code)} {
			if b, ok := ReasonByCode(key); !ok || b != r {
				t.Errorf("ReasonByCode(%q) = %+v, %v", key, b, ok)
			}
		}
	}
	got[0].Code = "changed"
	if Reasons()[0].Code != ReasonOutdated {
		t.Error("Reasons returns the package's own table")
	}
	if _, ok := ReasonByCode("stolen"); ok {
		t.Error("a reason §33 does not list was accepted")
	}
}

// TestCounterRestartsOnFirstJanuary: register entries and acts are
// numbered from 1 every year (§25), by the library's calendar.
func TestCounterRestartsOnFirstJanuary(t *testing.T) {
	riga, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		t.Skipf("no time zone data for Europe/Riga: %v", err)
	}
	c := Counter{Library: "CEN"}
	steps := []struct {
		at   time.Time
		want int
	}{
		{time.Date(2025, 3, 2, 10, 0, 0, 0, riga), 1},
		{time.Date(2025, 7, 1, 10, 0, 0, 0, riga), 2},
		{time.Date(2025, 12, 31, 23, 59, 0, 0, riga), 3},
		// 00:30 in Riga on 1 January is still 31 December in UTC.
		{time.Date(2026, 1, 1, 0, 30, 0, 0, riga), 1},
		{time.Date(2026, 1, 2, 9, 0, 0, 0, riga), 2},
		{time.Date(2028, 5, 5, 9, 0, 0, 0, riga), 1},
	}
	for i, s := range steps {
		var n int
		c, n = c.Next(s.at, riga)
		if n != s.want || c.Year != s.at.Year() {
			t.Errorf("step %d (%s): number %d year %d, want %d in %d", i, s.at, n, c.Year, s.want, s.at.Year())
		}
	}
	if c.Library != "CEN" {
		t.Errorf("library lost: %+v", c)
	}
}

func TestNumberRoundTrip(t *testing.T) {
	n := Number{Year: 2026, N: 12}
	if n.String() != "12/2026" {
		t.Fatalf("String = %q", n.String())
	}
	if p, err := ParseNumber(" 12/2026 "); err != nil || p != n {
		t.Fatalf("ParseNumber = %v, %v", p, err)
	}
	for _, bad := range []string{"", "12", "0/2026", "x/2026", "-1/2026", "1/2026x", "1/+2026", "+1/2026", "1/20260"} {
		if _, err := ParseNumber(bad); err == nil {
			t.Errorf("ParseNumber(%q) accepted", bad)
		}
	}
}

// TestLossNorm: §34 allows writing off open-access losses up to 0.3 % of
// the collection's value at the start of the year.
func TestLossNorm(t *testing.T) {
	for _, c := range []struct {
		name  string
		value Money
		want  Money
	}{
		{"40,000 copies at EUR 7.50 = EUR 300,000.00", 40_000 * 750, 900_00},
		{"EUR 1,234,567.89: 3,703.703… rounded down", 1_234_567_89, 3_703_70},
		{"EUR 100.00", 100_00, 30},
		{"EUR 3.33: under a cent", 333, 0},
		{"empty collection", 0, 0},
		{"negative value is no collection", -100, 0},
	} {
		if got := LossNorm(c.value); got != c.want {
			t.Errorf("%s: LossNorm(%d) = %d, want %d", c.name, c.value, got, c.want)
		}
	}
}

// TestSchedule: §30 intervals for the collection sizes of the regulation.
func TestSchedule(t *testing.T) {
	last := time.Date(2020, 4, 15, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		units  int
		want   Interval
		nextIn int
	}{
		{40_000, Interval{Years: 8, Paragraph: "30.1"}, 2028},
		{50_000, Interval{Years: 8, Paragraph: "30.1"}, 2028},
		{50_001, Interval{Years: 10, Paragraph: "30.2"}, 2030},
		{80_000, Interval{Years: 10, Paragraph: "30.2"}, 2030},
		{100_000, Interval{Years: 10, Paragraph: "30.2"}, 2030},
		{300_000, Interval{Years: 15, Paragraph: "30.3"}, 2035},
		{500_000, Interval{Years: 15, Paragraph: "30.3"}, 2035},
		{600_000, Interval{Years: 20, Sample: true, Paragraph: "30.4"}, 2040},
	} {
		if got := Schedule(c.units); got != c.want {
			t.Errorf("Schedule(%d) = %+v, want %+v", c.units, got, c.want)
		}
		if n := NextStocktaking(last, c.units); n.Year() != c.nextIn || n.Month() != last.Month() || n.Day() != last.Day() {
			t.Errorf("NextStocktaking(2020-04-15, %d) = %s, want in %d", c.units, n, c.nextIn)
		}
	}
	if !NextStocktaking(time.Time{}, 10).IsZero() {
		t.Error("a library that never took stock is not due now")
	}
}

func TestTypeAndLanguageColumns(t *testing.T) {
	for m, want := range map[string]DocType{"book": Books, "reference": Books, "magazine": Serials, "audio": Audiovisual,
		"kit": OtherType, "other": OtherType, "BOOK": Books, "": OtherType} {
		if got := TypeOfMaterial(m); got != want {
			t.Errorf("TypeOfMaterial(%q) = %s, want %s", m, got, want)
		}
	}
	for code, want := range map[string]Language{"lav": Latvian, "lv": Latvian, "rus": Russian, "RU": Russian,
		"eng": English, "en": English, "ger": OtherLanguage, "": OtherLanguage} {
		if got := LanguageOf(code); got != want {
			t.Errorf("LanguageOf(%q) = %s, want %s", code, got, want)
		}
	}
	if Books.Latvian() != "grāmatas" || Latvian.Latvian() != "latviešu" || OtherLanguage.String() != "other" {
		t.Error("column headings")
	}
}

// TestSummarise: part 3 of the summary register (§24.3, annex 5) is
// computed from the copies' records, by type, language and balance.
func TestSummarise(t *testing.T) {
	d := func(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 12, 0, 0, 0, time.UTC) }
	copies := []Copy{
		// In the collection all year.
		{Type: Books, Language: Latvian, OnBalance: true, Value: 10_00, Entered: d(2019, 5, 1)},
		{Type: Serials, Language: Russian, OnBalance: false, Value: 2_50, Entered: d(2024, 12, 31)},
		// Written off before the year: in no line.
		{Type: Books, Language: English, OnBalance: true, Value: 99_99, Entered: d(2010, 1, 1), WrittenOff: d(2024, 6, 1)},
		// Received in the year.
		{Type: Audiovisual, Language: English, OnBalance: true, Value: 15_00, Entered: d(2025, 1, 1)},
		{Type: Books, Language: Latvian, OnBalance: true, Value: 20_00, Entered: d(2025, 12, 31)},
		// Written off in the year (lost in stocktaking).
		{Type: Books, Language: Latvian, OnBalance: true, Value: 7_25, Entered: d(2018, 3, 3), WrittenOff: d(2025, 11, 20)},
		// Received and written off in the same year.
		{Type: OtherType, Language: OtherLanguage, OnBalance: true, Value: 5_00, Entered: d(2025, 2, 1), WrittenOff: d(2025, 9, 1)},
		// Received after the year: in no line.
		{Type: Books, Language: Latvian, OnBalance: true, Value: 1_00, Entered: d(2026, 1, 1)},
	}
	s := Summarise(2025, time.UTC, copies)
	check := func(line string, r Row, copies int, sum Money, types [4]int, langs [4]int, on, off Cell) {
		t.Helper()
		if r.Total != (Cell{copies, sum}) {
			t.Errorf("%s: total %+v, want %d copies EUR %d", line, r.Total, copies, sum)
		}
		for i, n := range types {
			if r.ByType[i].Copies != n {
				t.Errorf("%s: %s %d, want %d", line, DocType(i), r.ByType[i].Copies, n)
			}
		}
		for i, n := range langs {
			if r.ByLanguage[i].Copies != n {
				t.Errorf("%s: %s %d, want %d", line, Language(i), r.ByLanguage[i].Copies, n)
			}
		}
		if r.OnBalance != on || r.OffBalance != off {
			t.Errorf("%s: on balance %+v off %+v, want %+v %+v", line, r.OnBalance, r.OffBalance, on, off)
		}
	}
	check("start", s.Start, 3, 19_75, [4]int{2, 0, 1, 0}, [4]int{2, 1, 0, 0}, Cell{2, 17_25}, Cell{1, 2_50})
	check("received", s.Received, 3, 40_00, [4]int{1, 1, 0, 1}, [4]int{1, 0, 1, 1}, Cell{3, 40_00}, Cell{})
	check("written off", s.WrittenOff, 2, 12_25, [4]int{1, 0, 0, 1}, [4]int{1, 0, 0, 1}, Cell{2, 12_25}, Cell{})
	check("end", s.End, 4, 47_50, [4]int{2, 1, 1, 0}, [4]int{2, 1, 1, 0}, Cell{3, 45_00}, Cell{1, 2_50})
	if s.Start.Total.Sum+s.Received.Total.Sum-s.WrittenOff.Total.Sum != s.End.Total.Sum {
		t.Error("end of year is not start + received - written off")
	}
	if LossNorm(s.Start.Total.Sum) != 5 {
		t.Errorf("norm on the start value EUR 19.75 = %d cents", LossNorm(s.Start.Total.Sum))
	}
}

// FuzzParseNumber: a number that parses prints back to what parses to it.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1/2026", "12/2025", " 3/2027 ", "0/2026", "x", "1/", "/2026", "99999999999999999999/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNumber(s)
		if err != nil {
			return
		}
		if n.N < 1 || n.Year < 1 {
			t.Fatalf("ParseNumber(%q) = %+v", s, n)
		}
		back, err := ParseNumber(n.String())
		if err != nil || back != n {
			t.Fatalf("ParseNumber(%q) = %+v; its String %q parses to %+v, %v", s, n, n.String(), back, err)
		}
	})
}

// BenchmarkSummarise300k computes part 3 of the summary register for a
// collection of 300,000 copies.
func BenchmarkSummarise300k(b *testing.B) {
	copies := make([]Copy, 300_000)
	for i := range copies {
		copies[i] = Copy{Type: DocType(i % 4), Language: Language(i % 7 % 4), Class: Class(i % 10), OnBalance: i%10 != 0, Value: Money(100 + i%2000),
			Entered: time.Date(2000+i%27, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)}
		if i%50 == 0 {
			copies[i].WrittenOff = time.Date(2020+i%7, 6, 1, 0, 0, 0, 0, time.UTC)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		s := Summarise(2025, time.UTC, copies)
		if s.End.Total.Copies == 0 {
			b.Fatal("empty summary")
		}
	}
}
