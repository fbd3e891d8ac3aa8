package staffweb

import (
	"fmt"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
)

// How the acts write dates and amounts: as Latvian documents do, and as
// the regulation's forms ask ("20__.gada __.________", "EUR ____ (summa
// vārdiem)").

var lvMonthsLoc = [...]string{"janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā", "jūlijā", "augustā", "septembrī",
	"oktobrī", "novembrī", "decembrī"}

// lvDate is "2026.gada 4.decembrī"; the form's blank for no date.
func lvDate(t time.Time) string {
	if t.IsZero() {
		return "20__.gada __.________"
	}
	return fmt.Sprintf("%d.gada %d.%s", t.Year(), t.Day(), lvMonthsLoc[t.Month()-1])
}

// lvMoney is an amount with a decimal comma: "1234,50".
func lvMoney(m core.Money) string { return strings.Replace(m.String(), ".", ",", 1) }

var (
	lvOnes  = [...]string{"", "viens", "divi", "trīs", "četri", "pieci", "seši", "septiņi", "astoņi", "deviņi"}
	lvTeens = [...]string{"desmit", "vienpadsmit", "divpadsmit", "trīspadsmit", "četrpadsmit", "piecpadsmit", "sešpadsmit",
		"septiņpadsmit", "astoņpadsmit", "deviņpadsmit"}
	lvTens = [...]string{"", "", "divdesmit", "trīsdesmit", "četrdesmit", "piecdesmit", "sešdesmit", "septiņdesmit",
		"astoņdesmit", "deviņdesmit"}
)

// lvBelowThousand writes 1..999 in words ("viens simts divdesmit trīs").
func lvBelowThousand(n int64) []string {
	var w []string
	if h := n / 100; h > 0 {
		if h == 1 {
			w = append(w, "viens", "simts")
		} else {
			w = append(w, lvOnes[h], "simti")
		}
	}
	switch r := n % 100; {
	case r >= 20:
		w = append(w, lvTens[r/10])
		if r%10 > 0 {
			w = append(w, lvOnes[r%10])
		}
	case r >= 10:
		w = append(w, lvTeens[r-10])
	case r > 0:
		w = append(w, lvOnes[r])
	}
	return w
}

// singular reports whether a Latvian noun after n takes the singular: n
// ends in 1 but not in 11 ("21 cents", "11 centi").
func singular(n int64) bool { return n%10 == 1 && n%100 != 11 }

// lvNumber writes n ≥ 0 in words.
func lvNumber(n int64) string {
	if n == 0 {
		return "nulle"
	}
	var w []string
	for _, g := range []struct {
		size      int64
		one, many string
	}{{1_000_000_000, "miljards", "miljardi"}, {1_000_000, "miljons", "miljoni"}, {1000, "tūkstotis", "tūkstoši"}} {
		if k := n / g.size; k > 0 {
			w = append(w, lvBelowThousand(k)...)
			if singular(k) {
				w = append(w, g.one)
			} else {
				w = append(w, g.many)
			}
			n %= g.size
		}
	}
	w = append(w, lvBelowThousand(n)...)
	return strings.Join(w, " ")
}

// lvAmountInWords is an amount as an act writes it in words: "divpadsmit
// euro 05 centi" (euro is indeclinable; the cents in two figures, as on
// invoices).
func lvAmountInWords(m core.Money) string {
	neg := ""
	if m < 0 {
		neg, m = "mīnus ", -m
	}
	euros, cents := int64(m)/100, int64(m)%100
	unit := "centi"
	if singular(cents) {
		unit = "cents"
	}
	return fmt.Sprintf("%s%s euro %02d %s", neg, lvNumber(euros), cents, unit)
}
