package accounting

import "strings"

// Class is a column of the summary register's "Izdevumu sadalījums pa
// zinātņu nozarēm (UDK)" (annex 5, part 1): the main class of the
// Universal Decimal Classification that Latvian libraries classify by.
// The annex names the column group but not its columns; they are the UDC
// main classes 0, 1, 2, 3, 5, 6, 7, 8 and 9 (class 4 has been vacant since
// 1964), and a column for copies whose record carries no UDC number, so
// that the classes always add up to the copies. Regulation §23 lets a
// library keep the register by further characteristics; parts 2 and 3
// count by class too, so that the year's summary by class adds up.
type Class int

// UDC main classes in the order of the register's columns.
const (
	ClassGeneral    Class = iota // 0 Vispārīgā nodaļa
	ClassPhilosophy              // 1 Filozofija. Psiholoģija
	ClassReligion                // 2 Reliģija. Teoloģija
	ClassSocial                  // 3 Sociālās zinātnes
	ClassScience                 // 5 Matemātika. Dabaszinātnes
	ClassApplied                 // 6 Lietišķās zinātnes. Medicīna. Tehnika
	ClassArts                    // 7 Māksla. Izklaide. Sports
	ClassLanguage                // 8 Valoda. Valodniecība. Literatūra
	ClassHistory                 // 9 Ģeogrāfija. Biogrāfijas. Vēsture
	Unclassified                 // no UDC number in the record
	numClasses
)

var classNames = [numClasses]struct{ code, lv, name string }{
	{"0", "0", "Vispārīgā nodaļa"},
	{"1", "1", "Filozofija. Psiholoģija"},
	{"2", "2", "Reliģija. Teoloģija"},
	{"3", "3", "Sociālās zinātnes"},
	{"5", "5", "Matemātika. Dabaszinātnes"},
	{"6", "6", "Lietišķās zinātnes. Medicīna. Tehnika"},
	{"7", "7", "Māksla. Izklaide. Sports"},
	{"8", "8", "Valoda. Valodniecība. Literatūra"},
	{"9", "9", "Ģeogrāfija. Biogrāfijas. Vēsture"},
	{"none", "bez UDK", "Nav klasificēti"},
}

func (c Class) valid() Class {
	if c < 0 || c >= numClasses {
		return Unclassified
	}
	return c
}

// String is the class's code: its UDC digit, or "none".
func (c Class) String() string { return classNames[c.valid()].code }

// Latvian is the column's heading: the class's digit, or "bez UDK".
func (c Class) Latvian() string { return classNames[c.valid()].lv }

// Name is the class's name in Latvian, e.g. "Sociālās zinātnes".
func (c Class) Name() string { return classNames[c.valid()].name }

// Classes lists the UDC columns in order: 0, 1, 2, 3, 5, 6, 7, 8, 9,
// unclassified.
func Classes() []Class {
	out := make([]Class, numClasses)
	for i := range out {
		out[i] = Class(i)
	}
	return out
}

// byDigit is the column of a main-table number's first digit. 4 was
// linguistics until 1964, when it moved to 80/81: old records still
// carry it, and it counts with language and literature.
var byDigit = [10]Class{ClassGeneral, ClassPhilosophy, ClassReligion, ClassSocial, ClassLanguage,
	ClassScience, ClassApplied, ClassArts, ClassLanguage, ClassHistory}

// ClassOf puts a UDC notation (MARC 21 080 $a) in its register column: the
// first digit of its first main-table number. Common auxiliaries before
// it are passed over, as they do not say the subject: place and form in
// parentheses ("(474.3)"), time in quotes, language after "=" and special
// auxiliaries after "-", "." or "'". "087.5" (publications for children,
// a form of publication in the older tables) gives way to the number that
// follows it ("087.5:821.174-93" is literature) and counts in class 0 only
// when it stands alone. A notation with no main number, or none at all,
// is Unclassified.
func ClassOf(notation string) Class {
	s := strings.TrimSpace(notation)
	fallback := Unclassified
	depth, quoted, aux := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case c >= '0' && c <= '9':
			if aux {
				continue
			}
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			if strings.HasPrefix(s[i:j], "087.5") {
				if fallback == Unclassified {
					fallback = ClassGeneral
				}
				i, aux = j-1, true // its own auxiliaries are passed over too
				continue
			}
			return byDigit[c-'0']
		case c == '=' || c == '-' || c == '.' || c == '\'':
			aux = true
		default: // ":", "+", "/", " ", "[", "]" and letters ("UDK ") end an auxiliary
			aux = false
		}
	}
	return fallback
}
