package policy

import (
	"sort"
	"strings"
	"time"
)

// Countries whose public holidays are computed (ISO 3166-1 alpha-2).
const (
	CountryLatvia   = "LV"
	CountryEstonia  = "EE"
	CountrySlovenia = "SI"
)

// KnownCountry reports whether the public holidays of country (LV, EE or
// SI, any case) are known.
func KnownCountry(country string) bool {
	switch strings.ToUpper(country) {
	case CountryLatvia, CountryEstonia, CountrySlovenia:
		return true
	}
	return false
}

// Easter returns the date of (Western, Gregorian) Easter Sunday in year, by
// the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
func Easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}

// Add returns the date n days after d (before it for negative n).
func (d Date) Add(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// String renders d as YYYY-MM-DD.
func (d Date) String() string {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

// PublicHolidays returns the public holidays of country in year, in date
// order, computed (not listed): fixed days, the days that hang on Easter,
// and the days a holiday on a weekend moves to. Unknown countries have
// none. Occasional holidays a government declares for one year (a song
// festival, a championship) are not included: configure them as closed
// days.
//
//   - Latvia (law on holidays, remembrance and celebration days, §1): 1 Jan,
//     Good Friday, Easter Sunday and Monday, 1 May, 4 May (a Monday off when
//     it falls on a weekend), Mother's Day (2nd Sunday of May), Whit Sunday,
//     23 and 24 June, 18 November (a Monday off when it falls on a weekend),
//     24, 25, 26 and 31 December.
//   - Estonia (Public Holidays and Days of National Importance Act, §2):
//     1 Jan, 24 Feb, Good Friday, Easter Sunday, 1 May, Whit Sunday, 23 and
//     24 June, 20 August, 24, 25 and 26 December.
//   - Slovenia (Holidays and Non-working Days Act): 1 and 2 January (2 Jan
//     not in 2013–2016), 8 Feb, Easter Sunday and Monday, 27 April, 1 and
//     2 May, Whit Sunday, 25 June, 15 August, 31 October, 1 November, 25 and
//     26 December. Good Friday is a working day in Slovenia.
func PublicHolidays(country string, year int) []Date {
	e := Easter(year)
	fixed := func(m time.Month, d int) Date { return Date{year, m, d} }
	// mondayIfWeekend adds the Monday after a holiday on Saturday or Sunday.
	mondayIfWeekend := func(d Date) []Date {
		switch d.Weekday() {
		case time.Saturday:
			return []Date{d, d.Add(2)}
		case time.Sunday:
			return []Date{d, d.Add(1)}
		}
		return []Date{d}
	}
	var out []Date
	switch strings.ToUpper(country) {
	case CountryLatvia:
		out = append(out, fixed(time.January, 1), e.Add(-2), e, e.Add(1), fixed(time.May, 1))
		out = append(out, mondayIfWeekend(fixed(time.May, 4))...)
		out = append(out, secondSunday(year, time.May), e.Add(49),
			fixed(time.June, 23), fixed(time.June, 24))
		out = append(out, mondayIfWeekend(fixed(time.November, 18))...)
		out = append(out, fixed(time.December, 24), fixed(time.December, 25), fixed(time.December, 26),
			fixed(time.December, 31))
	case CountryEstonia:
		out = append(out, fixed(time.January, 1), fixed(time.February, 24), e.Add(-2), e, fixed(time.May, 1),
			e.Add(49), fixed(time.June, 23), fixed(time.June, 24), fixed(time.August, 20),
			fixed(time.December, 24), fixed(time.December, 25), fixed(time.December, 26))
	case CountrySlovenia:
		out = append(out, fixed(time.January, 1))
		if year < 2013 || year > 2016 {
			out = append(out, fixed(time.January, 2))
		}
		out = append(out, fixed(time.February, 8), e, e.Add(1), fixed(time.April, 27), fixed(time.May, 1),
			fixed(time.May, 2), e.Add(49), fixed(time.June, 25), fixed(time.August, 15), fixed(time.October, 31),
			fixed(time.November, 1), fixed(time.December, 25), fixed(time.December, 26))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].before(out[j]) })
	// Two rules can name one day (a moved holiday on another holiday).
	uniq := out[:0]
	for i, d := range out {
		if i == 0 || d != out[i-1] {
			uniq = append(uniq, d)
		}
	}
	return uniq
}

// IsPublicHoliday reports whether d is a public holiday in country.
func IsPublicHoliday(country string, d Date) bool {
	if country == "" {
		return false
	}
	for _, h := range PublicHolidays(country, d.Year) {
		if h == d {
			return true
		}
	}
	return false
}

func secondSunday(year int, m time.Month) Date {
	d := Date{year, m, 1}
	for d.Weekday() != time.Sunday {
		d = d.Add(1)
	}
	return d.Add(7)
}

func (d Date) before(o Date) bool {
	if d.Year != o.Year {
		return d.Year < o.Year
	}
	if d.Month != o.Month {
		return d.Month < o.Month
	}
	return d.Day < o.Day
}
