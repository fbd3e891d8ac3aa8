package iso18626

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse, seeded with every sample in
// testdata/samples (and the corpus in testdata/fuzz/FuzzParse). Parse must
// not panic, and whatever it refuses must be an *Error whose type is one a
// confirmation can carry.
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
	f.Fuzz(func(t *testing.T, in []byte) {
		r := Reader{MaxSize: 1 << 16}
		m, err := r.Parse(in)
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
	})
}
