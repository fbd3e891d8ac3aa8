package marc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
)

// readAllFrom reads every record of rr, collecting defects; records that
// were dropped are not in recs. Any other error fails the test.
func readAllFrom(t testing.TB, rr RecordReader) (recs []*Record, defects []*Defect) {
	t.Helper()
	for {
		rec, err := rr.Next()
		if err == io.EOF {
			return recs, defects
		}
		var d *Defect
		switch {
		case errors.As(err, &d):
			defects = append(defects, d)
			if (rec == nil) != (d.Kind == DefectDropped) {
				t.Fatalf("defect %v came with record %v", d, rec != nil)
			}
		case err != nil:
			t.Fatalf("read: %v", err)
		}
		if rec != nil {
			recs = append(recs, rec)
		}
	}
}

func readFile(t testing.TB, path string, opts ...ReaderOption) ([]*Record, []*Defect) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return readAllFrom(t, NewReader(bytes.NewReader(b), opts...))
}

func readXMLFile(t testing.TB, path string) ([]*Record, []*Defect) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return readAllFrom(t, NewXMLReader(bytes.NewReader(b)))
}

// diffRecords lists the differences between two records, field by field.
// skipLeader names leader positions not to compare.
func diffRecords(a, b *Record, skipLeader ...int) []string {
	var out []string
	la, lb := []byte(a.Leader), []byte(b.Leader)
	if len(la) == len(lb) {
		for _, i := range skipLeader {
			if i < len(la) {
				la[i], lb[i] = '_', '_'
			}
		}
	}
	if string(la) != string(lb) {
		out = append(out, fmt.Sprintf("leader %q != %q", a.Leader, b.Leader))
	}
	if len(a.Fields) != len(b.Fields) {
		out = append(out, fmt.Sprintf("%d fields != %d fields", len(a.Fields), len(b.Fields)))
	}
	for i := 0; i < len(a.Fields) && i < len(b.Fields); i++ {
		fa, fb := &a.Fields[i], &b.Fields[i]
		if fa.String() != fb.String() || !sameField(fa, fb) {
			out = append(out, fmt.Sprintf("field %d:\n  %q\n  %q", i, fa.String(), fb.String()))
		}
	}
	return out
}

func sameField(a, b *Field) bool {
	if a.Tag != b.Tag || a.Value != b.Value || indicator(a.Ind1) != indicator(b.Ind1) ||
		indicator(a.Ind2) != indicator(b.Ind2) || len(a.Subfields) != len(b.Subfields) {
		return false
	}
	for i := range a.Subfields {
		if a.Subfields[i] != b.Subfields[i] {
			return false
		}
	}
	return true
}

// marshalPositions are the leader positions Marshal sets itself.
var marshalPositions = []int{0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 15, 16, 20, 21, 22, 23}

func readFileBytes(t testing.TB, path string) ([]byte, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b, nil
}
