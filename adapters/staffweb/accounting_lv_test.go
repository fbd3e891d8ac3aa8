package staffweb

import (
	"testing"
	"time"

	"github.com/bibgate/bibgate/core"
)

// TestAmountInWords: the acts' "summa vārdiem", as Latvian documents
// write it.
func TestAmountInWords(t *testing.T) {
	for _, tc := range []struct {
		cents core.Money
		want  string
	}{
		{0, "nulle euro 00 centi"},
		{1, "nulle euro 01 cents"},
		{1100, "vienpadsmit euro 00 centi"},
		{1250, "divpadsmit euro 50 centi"},
		{2121, "divdesmit viens euro 21 cents"},
		{10000, "viens simts euro 00 centi"},
		{12345, "viens simts divdesmit trīs euro 45 centi"},
		{90711, "deviņi simti septiņi euro 11 centi"},
		{100000, "viens tūkstotis euro 00 centi"},
		{2101000, "divdesmit viens tūkstotis desmit euro 00 centi"},
		{1100000, "vienpadsmit tūkstoši euro 00 centi"},
		{123456789, "viens miljons divi simti trīsdesmit četri tūkstoši pieci simti sešdesmit septiņi euro 89 centi"},
		{-550, "mīnus pieci euro 50 centi"},
	} {
		if got := lvAmountInWords(tc.cents); got != tc.want {
			t.Errorf("%d cents: %q, want %q", tc.cents, got, tc.want)
		}
	}
}

func TestLatvianDateAndMoney(t *testing.T) {
	if got := lvDate(time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)); got != "2026.gada 4.decembrī" {
		t.Errorf("date %q", got)
	}
	if got := lvDate(time.Time{}); got != "20__.gada __.________" {
		t.Errorf("no date %q", got)
	}
	if got := lvMoney(123456); got != "1234,56" {
		t.Errorf("money %q", got)
	}
}
