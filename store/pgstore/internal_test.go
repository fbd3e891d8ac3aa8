package pgstore

import (
	"strings"
	"testing"
)

func TestPrefixEnd(t *testing.T) {
	cases := []struct {
		prefix, want string
		bounded      bool
	}{
		{"", "", false},
		{"a", "b", true},
		{"a/", "a0", true},
		{"a\xff", "b", true},
		{"a\xff\xff", "b", true},
		{"\xff", "", false},
		{"\xff\xff", "", false},
		{"\x00", "\x01", true},
		{"\xc3", "\xc4", true},
		{"ab\xfe", "ab\xff", true},
	}
	for _, tc := range cases {
		got, bounded := prefixEnd(tc.prefix)
		if got != tc.want || bounded != tc.bounded {
			t.Errorf("prefixEnd(%q) = %q, %v; want %q, %v", tc.prefix, got, bounded, tc.want, tc.bounded)
		}
		// Every key under the prefix sorts below the end, the end itself does not start with it.
		if bounded {
			for _, k := range []string{tc.prefix, tc.prefix + "\xff\xff\xff", tc.prefix + "\x00"} {
				if k >= got {
					t.Errorf("prefixEnd(%q) = %q is not above %q", tc.prefix, got, k)
				}
			}
			if strings.HasPrefix(got, tc.prefix) {
				t.Errorf("prefixEnd(%q) = %q starts with the prefix", tc.prefix, got)
			}
		}
	}
}

func TestBackoff(t *testing.T) {
	s := &Store{opts: Options{RetryBaseDelay: DefaultRetryBaseDelay, RetryMaxDelay: DefaultRetryMaxDelay}}
	for attempt := 1; attempt <= 80; attempt++ {
		ceiling := DefaultRetryMaxDelay
		if attempt < 30 {
			ceiling = min(ceiling, DefaultRetryBaseDelay<<(attempt-1))
		}
		for range 20 {
			if d := s.backoff(attempt); d < ceiling/2 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, ceiling/2, ceiling)
			}
		}
	}
}
