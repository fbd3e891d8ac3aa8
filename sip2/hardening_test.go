package sip2

import (
	"errors"
	"testing"
)

// TestMalformedChecksumTrailer: an AZ trailer that is not four hex digits
// is a damaged checksum. Under error detection the message is not run (the
// server answers 96); with detection off it is read as before.
func TestMalformedChecksumTrailer(t *testing.T) {
	tests := []struct {
		name, msg string
	}{
		{"non-hex digit", "9900302.00AY1AZ12G4"},
		{"letters", "9900302.00AY1AZZZZZ"},
		{"two digits", "9900302.00AY1AZ12"},
		{"without AY", "9900302.00AZ12"},
		{"after a field", "2300020261102    100001AOILU|AAP0001|AC|AD1234|AZ12G4"},
		{"after a field, short", "2300020261102    100001AOILU|AAP0001|AC|AD1234|AY3AZ12"},
		{"five digits", "2300020261102    100001AOILU|AAP0001|AC|AD1234|AY3AZ12345"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []ErrorDetection{ErrorDetectionAuto, ErrorDetectionRequire} {
				c := Codec{ErrorDetection: mode}
				_, err := c.Decode([]byte(tc.msg))
				if !errors.Is(err, &ParseError{Kind: KindChecksum}) {
					t.Errorf("%s: %q: got %v, want a checksum error", mode, tc.msg, err)
				}
			}
			off := Codec{ErrorDetection: ErrorDetectionOff}
			if _, err := off.Decode([]byte(tc.msg)); err != nil {
				t.Errorf("off: %q: %v", tc.msg, err)
			}
		})
	}
	// Text that merely contains "AZ" is not a trailer.
	for _, msg := range []string{
		"1720250314    101500AOX|ABi|AJTUCSON AZ|",
		"1720250314    101500AOX|ABi|AJTUCSON AZ",
		"2300020261102    100001AOILU|AAP0001|AC|ADAZ12|",
	} {
		if _, err := Parse([]byte(msg)); err != nil {
			t.Errorf("%q: %v", msg, err)
		}
	}
}

// TestFixedFieldDatesChecked: a fixed date that is neither blank nor a
// real date and time makes the message unreadable (96), not a request
// dated year 1.
func TestFixedFieldDatesChecked(t *testing.T) {
	bad := []string{
		"11YN99999999    99999920250314    101500AOX|AAp|ABi|AC|",
		"11YN20250314    101500GARBAGEGARBAGEGARAOX|AAp|ABi|AC|",
		"1720250231    101500AOX|ABi|",                           // no such day
		"1720250314    256000AOX|ABi|",                           // no such hour
		"17GARBAGEGARBAGEGARBAGE|ABi|",                           // text
		"172025\x00314    101500AOX|ABi|",                        // NUL
		"09N20250314    101500ABCDEFGH    101500APx|AOX|ABi|AC|", // return date
	}
	for _, msg := range bad {
		_, err := Parse([]byte(msg))
		var pe *ParseError
		if !errors.As(err, &pe) || (pe.Kind != KindBadFixed && pe.Kind != KindBadByte) {
			t.Errorf("%q: got %v, want a bad fixed field", msg, err)
		}
	}
	good := []string{
		"11YN20250314    101500                  AOX|AAp|ABi|AC|", // blank due date
		"11YN20250314    10150000000000    000000AOX|AAp|ABi|AC|", // zeros
		"1720250314   Z101500AOX|ABi|",
		"1720250314 EST101500AOX|ABi|",
		"17YYYYMMDDZZZZHHMMSSAOX|ABi|", // the reference's placeholder
	}
	for _, msg := range good {
		if _, err := Parse([]byte(msg)); err != nil {
			t.Errorf("%q: %v", msg, err)
		}
	}
}

// TestNULInBarcodeRefused: a NUL inside a message (a barcode with a NUL is
// not the barcode on the item) is refused instead of being read and echoed
// back in AA/AB. NULs before or after the message, as some readers send,
// are ignored.
func TestNULInBarcodeRefused(t *testing.T) {
	for _, msg := range []string{
		"11YN20250314    101500                  AOX|AAp\x00|ABi|AC|",
		"11YN20250314    101500                  AOX|AAp|ABi\x00x|AC|",
		"1720250314    101500AOX|AB\x00|",
	} {
		if _, err := Parse([]byte(msg)); !errors.Is(err, &ParseError{Kind: KindBadByte}) {
			t.Errorf("%q: got %v, want a bad byte", msg, err)
		}
	}
	m, err := Parse([]byte("\x00\x001720250314    101500AOX|ABi1|\x00"))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.(*ItemInformationRequest).ItemID; got != "i1" {
		t.Errorf("item %q", got)
	}
}
