package iso18626

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary bytes to Parse, seeded with every sample in
// testdata/samples, each full message of fullMessages written for both
// editions, and the corpus in testdata/fuzz/FuzzParse, if any.
// Parse must not panic, and whatever it refuses must be an *Error whose
// type is one a confirmation can carry. Whatever it reads, the confirmation
// answering it must be writable for both editions. What it accepts and
// Marshal writes must read back and write again to the same bytes, and
// what it writes keeping unknown elements must read back too.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob("testdata/samples/*/*.xml")
	if err != nil || len(files) == 0 {
		f.Fatalf("no samples: %v", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// The samples are all 2017; our own full messages bring the 2021
	// elements in.
	for _, m := range fullMessages() {
		for _, v := range []Version{V2017, V2021} {
			b, err := Marshal(m, v)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in []byte) {
		r := Reader{MaxSize: 1 << 16}
		m, err := r.Parse(in)
		var conf Message
		if e := (*Error)(nil); errors.As(err, &e) {
			conf = Confirm(&m, now, e.ErrorData())
		} else {
			conf = Confirm(&m, now)
		}
		for _, v := range []Version{V2017, V2021} {
			if _, cerr := Marshal(conf, v); cerr != nil {
				t.Fatalf("confirmation of %q not writable for %s: %v", in, v, cerr)
			}
		}
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !e.Type.Valid(V2021) {
				t.Fatalf("error %v is not an *Error with an errorType", err)
			}
			_ = e.ErrorData()
			if e.Type == BadlyFormedMessage && m.Kind() != KindNone && e.Element == "" {
				t.Fatalf("badly formed without element but a message: %v", err)
			}
			return
		}
		if m.Kind() == KindNone {
			t.Fatal("no error and no message")
		}
		for _, v := range []Version{V2017, V2021} {
			out, err := Marshal(m, v)
			if err != nil {
				var me *MarshalError
				if !errors.As(err, &me) || len(me.Problems) == 0 {
					t.Fatalf("Marshal for %s: %v is not a MarshalError", v, err)
				}
				continue
			}
			back, err := Parse(out)
			if err != nil {
				t.Fatalf("our %s output does not parse: %v\n%s", v, err, out)
			}
			again, err := Marshal(back, v)
			if err != nil || !bytes.Equal(again, out) {
				t.Fatalf("%s round trip not stable: %v\n%s\n%s", v, err, out, again)
			}
			kept, err := Writer{KeepUnknown: true}.Marshal(m, v)
			if err != nil {
				t.Fatalf("KeepUnknown for %s: %v", v, err)
			}
			if _, err := Parse(kept); err != nil {
				t.Fatalf("our %s output with unknown elements does not parse: %v\n%s", v, err, kept)
			}
		}
	})
}
