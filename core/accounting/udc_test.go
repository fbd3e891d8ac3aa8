package accounting

import (
	"testing"
	"time"
)

// TestClassOf: a title's UDC number (080 $a) puts its copies in the
// register's column of its main class.
func TestClassOf(t *testing.T) {
	for _, c := range []struct {
		notation string
		want     Class
	}{
		// The 080 $a of the real records in catalog/testdata/pymarc-1251.dat.
		{"624.01:532.5(075.8)", ClassApplied},
		{"159.922.7", ClassPhilosophy},
		{"69:658.012(075.8)", ClassApplied},
		{"821.113.6-93", ClassLanguage},
		{"530.182", ClassScience},
		// Latvian titles as Latvian libraries classify them.
		{"821.174-31", ClassLanguage},            // a Latvian novel
		{"811.174'374", ClassLanguage},           // a Latvian dictionary
		{"94(474.3)\"1914/1918\"", ClassHistory}, // Latvia in the First World War
		{"908(474.3)", ClassHistory},             // local lore: 908 area studies
		{"(474.3)94", ClassHistory},              // the place first
		{"(474.3)", Unclassified},                // a place and no subject
		{"\"19\"", Unclassified},
		{"=174", Unclassified},
		{"=174:821.174", ClassLanguage},
		{"-053.2", Unclassified},
		{"087.5:821.174-93", ClassLanguage}, // a children's book of Latvian literature
		{"087.5(=174)+82-93", ClassLanguage},
		{"087.5", ClassGeneral},        // children's publications and no subject: 087 is in class 0
		{"[821.174]-1", ClassLanguage}, // brackets group
		{"2-1", ClassReligion},
		{"3", ClassSocial},
		{"004.738.5", ClassGeneral},
		{"78.071", ClassArts},
		{"4", ClassLanguage}, // linguistics before 1964
		{"  UDK 37.016  ", ClassSocial},
		{"621.38/.39", ClassApplied},
		{"", Unclassified},
		{"   ", Unclassified},
		{"((474.3)", Unclassified},
		{")5", ClassScience},
		{"nav", Unclassified},
	} {
		if got := ClassOf(c.notation); got != c.want {
			t.Errorf("ClassOf(%q) = %s, want %s", c.notation, got, c.want)
		}
	}
}

// TestClassColumns: the columns are the UDC main classes without the
// vacant 4, then the unclassified, each with its heading.
func TestClassColumns(t *testing.T) {
	var codes string
	for _, c := range Classes() {
		codes += c.String() + " "
		if c.Latvian() == "" || c.Name() == "" {
			t.Errorf("class %s has no heading", c)
		}
	}
	if codes != "0 1 2 3 5 6 7 8 9 none " {
		t.Errorf("columns %q", codes)
	}
	if Class(42).String() != "none" || Class(-1).Latvian() != "bez UDK" || ClassSocial.Name() != "Sociālās zinātnes" {
		t.Error("headings of a class out of range")
	}
}

// FuzzClassOf: every notation lands in one of the columns.
func FuzzClassOf(f *testing.F) {
	for _, s := range []string{"821.174-31", "(474.3)", "087.5:821", "\"19", "=", "-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c := ClassOf(s); c < 0 || c >= numClasses {
			t.Fatalf("ClassOf(%q) = %d", s, c)
		}
	})
}

// TestClassesAddUp: in every line of part 3 the classes add up to the
// copies and their value, and each class's end of year is its start plus
// received less written off.
func TestClassesAddUp(t *testing.T) {
	d := func(y, m int) time.Time { return time.Date(y, time.Month(m), 1, 12, 0, 0, 0, time.UTC) }
	notations := []string{"821.174-31", "94(474.3)", "", "087.5:821.174-93", "(474.3)", "159.9", "5", "37.016"}
	var copies []Copy
	for i := range 400 {
		c := Copy{Type: DocType(i % 4), Language: Language(i % 3), Class: ClassOf(notations[i%len(notations)]),
			OnBalance: i%5 != 0, Value: Money(100 + i*7), Entered: d(2020+i%8, 1+i%12)}
		if i%9 == 0 {
			c.WrittenOff = c.Entered.AddDate(1+(i/9)%4, 0, 0)
		}
		copies = append(copies, c)
	}
	s := Summarise(2025, time.UTC, copies)
	for name, r := range map[string]Row{"start": s.Start, "received": s.Received, "written off": s.WrittenOff, "end": s.End} {
		var sum Cell
		for _, c := range Classes() {
			sum.Copies += r.ByClass[c].Copies
			sum.Sum += r.ByClass[c].Sum
		}
		if sum != r.Total || r.Total.Copies == 0 {
			t.Errorf("%s: classes add up to %+v, total %+v", name, sum, r.Total)
		}
	}
	for _, c := range Classes() {
		if s.Start.ByClass[c].Copies+s.Received.ByClass[c].Copies-s.WrittenOff.ByClass[c].Copies != s.End.ByClass[c].Copies ||
			s.Start.ByClass[c].Sum+s.Received.ByClass[c].Sum-s.WrittenOff.ByClass[c].Sum != s.End.ByClass[c].Sum {
			t.Errorf("class %s: start %+v + received %+v - written off %+v != end %+v", c, s.Start.ByClass[c],
				s.Received.ByClass[c], s.WrittenOff.ByClass[c], s.End.ByClass[c])
		}
	}
	if s.End.ByClass[ClassLanguage].Copies == 0 || s.End.ByClass[Unclassified].Copies == 0 || s.End.ByClass[ClassArts].Copies != 0 {
		t.Errorf("end of year by class: %+v", s.End.ByClass)
	}
}
