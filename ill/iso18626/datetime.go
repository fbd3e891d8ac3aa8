package iso18626

import (
	"bytes"
	"time"
)

// DateTime is an xs:dateTime element read leniently. Raw is the text as
// read (trimmed); Time is its value when one of the accepted forms matched.
// Local reports a value written without a zone (kept without one on
// output); DateOnly a plain date such as 2021-03-10 (written as midnight).
type DateTime struct {
	Time     time.Time
	Raw      string
	Local    bool
	DateOnly bool
	bad      bool // Raw is in none of the accepted forms
}

// At returns the DateTime of t, zone kept.
func At(t time.Time) DateTime { return DateTime{Time: t} }

// IsZero reports an absent or empty element.
func (d DateTime) IsZero() bool { return d.Raw == "" && d.Time.IsZero() }

// Valid reports whether d holds a time: an absent element is not valid,
// nor is text in none of the accepted forms. 0001-01-01T00:00:00Z, which
// mod-rs sends as a placeholder, is.
func (d DateTime) Valid() bool { return !d.bad && (d.Raw != "" || !d.Time.IsZero()) }

// zoned layouts, tried in order; fractional seconds of any length are
// accepted by the .999999999 part.
var zonedLayouts = []string{
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z0700", // +0000: not xs:dateTime, but sent by mod-rs
	"2006-01-02T15:04:05.999999999Z07",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
}

var localLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999",
}

// parseDateTime tries the accepted forms of s.
func parseDateTime(s string) (t time.Time, local, dateOnly, ok bool) {
	if len(s) < 10 {
		return time.Time{}, false, false, false
	}
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, false, false, true
		}
	}
	for _, l := range localLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true, false, true
		}
	}
	if t, err := time.Parse("2006-01-02Z07:00", s); err == nil {
		return t, false, true, true
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true, true, true
	}
	if t, err := time.Parse("20060102", s); err == nil {
		return t, true, true, true
	}
	return time.Time{}, false, false, false
}

// UnmarshalText reads any of the accepted forms; anything else is kept in
// Raw with a zero Time, for Validate to report.
func (d *DateTime) UnmarshalText(b []byte) error {
	s := string(bytes.TrimSpace(b))
	*d = DateTime{Raw: s}
	if s == "" {
		return nil
	}
	if t, local, dateOnly, ok := parseDateTime(s); ok {
		d.Time, d.Local, d.DateOnly = t, local, dateOnly
	} else {
		d.bad = true
	}
	return nil
}

// String formats d as xs:dateTime: with its zone, or none for Local values;
// fractional seconds only when there are any.
func (d DateTime) String() string {
	if d.Local {
		return d.Time.Format("2006-01-02T15:04:05.999999999")
	}
	return d.Time.Format(time.RFC3339Nano)
}
