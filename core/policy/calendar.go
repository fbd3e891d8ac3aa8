package policy

import "time"

// Calendar says on which days a library is open: weekdays it opens, and
// dates it is closed (holidays) or exceptionally open.
type Calendar struct {
	// OpenWeekdays[time.Sunday] ... OpenWeekdays[time.Saturday].
	OpenWeekdays [7]bool
	// Closed lists dates (time in any zone; only y-m-d counts) the library
	// is closed although the weekday says open.
	Closed []Date
	// Open lists dates the library is open although the weekday says closed.
	Open []Date
	// Location is the library's time zone; nil means UTC.
	Location *time.Location
	// Country, when set (LV, EE, SI), closes the library on that country's
	// public holidays, computed for every year (see PublicHolidays).
	Country string
}

// Date is a calendar date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar date of t.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// WeekdaysCalendar is open Monday to Friday (and Saturday when sat is true).
func WeekdaysCalendar(loc *time.Location, sat bool) Calendar {
	c := Calendar{Location: loc}
	for d := time.Monday; d <= time.Friday; d++ {
		c.OpenWeekdays[d] = true
	}
	c.OpenWeekdays[time.Saturday] = sat
	return c
}

func (c Calendar) loc() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

// IsOpen reports whether the library is open on the date of t (in the
// library's time zone).
func (c Calendar) IsOpen(t time.Time) bool {
	d := DateOf(t.In(c.loc()))
	for _, x := range c.Open {
		if x == d {
			return true
		}
	}
	for _, x := range c.Closed {
		if x == d {
			return false
		}
	}
	if IsPublicHoliday(c.Country, d) {
		return false
	}
	return c.OpenWeekdays[t.In(c.loc()).Weekday()]
}

// NextOpenDay returns t if the library is open that day, else the first
// later day it is open (same clock time). A calendar that is never open
// returns t unchanged rather than looping forever.
func (c Calendar) NextOpenDay(t time.Time) time.Time {
	for i := 0; i < 366; i++ {
		d := t.AddDate(0, 0, i)
		if c.IsOpen(d) {
			return d
		}
	}
	return t
}

// EndOfDay returns the last second of t's date in the library's zone.
func (c Calendar) EndOfDay(t time.Time) time.Time {
	y, m, d := t.In(c.loc()).Date()
	return time.Date(y, m, d, 23, 59, 59, 0, c.loc())
}
