package policy

import (
	"testing"
	"time"
)

// BenchmarkDueDate is the cost of a due date that skips closed days, with
// and without a country's computed public holidays (asked on every
// checkout). Run with
//
//	go test -run '^$' -bench DueDate -benchtime 200000x ./core/policy
func BenchmarkDueDate(b *testing.B) {
	r := DefaultRuleSet().Resolve("X", "adult", MaterialBook)
	now := time.Date(2027, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, country := range []string{"", CountryLatvia, CountryEstonia, CountrySlovenia} {
		name := country
		if name == "" {
			name = "none"
		}
		b.Run("country="+name, func(b *testing.B) {
			c := WeekdaysCalendar(time.UTC, true)
			c.Country = country
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				DueDate(r, c, now, false)
			}
		})
	}
}
