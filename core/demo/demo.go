// Package demo builds bibgate's deterministic demo data: the nine libraries
// of the Ilūkste county consortium, 100 patrons and a few hundred copies,
// so that a fresh `bibgate serve` has something real to serve. The same
// data backs the integration tests and the README's examples.
//
// The libraries are real; their addresses and contacts here are not (demo
// notices must never reach a real library), e-mail uses example.org.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/policy"
)

// PIN is every demo patron's PIN.
const PIN = "1234"

// Library ids of the consortium.
const (
	Central   = "ILU"  // Ilūkstes novada centrālā bibliotēka
	Children  = "ILUB" // Ilūkstes bērnu bibliotēka
	Subate    = "SUB"
	Bebrene   = "BEB"
	Dviete    = "DVI"
	Eglaine   = "EGL"
	Pilskalne = "PIL"
	Sedere    = "SED"
	Pasuliene = "PAS"
)

// Riga is the consortium's time zone.
func Riga() *time.Location {
	loc, err := time.LoadLocation("Europe/Riga")
	if err != nil {
		return time.FixedZone("EET", 2*3600)
	}
	return loc
}

// Consortium returns the Ilūkste county consortium with the default rules.
// Libraries open Monday to Friday; the central and children's libraries
// also on Saturday; all closed on Latvia's public holidays, computed for
// every year (policy.PublicHolidays), Good Friday and Easter Monday
// included.
func Consortium() *core.Consortium {
	loc := Riga()
	libs := []struct {
		id, name, town string
		sat            bool
	}{
		{Central, "Ilūkstes novada centrālā bibliotēka", "Ilūkste", true},
		{Children, "Ilūkstes bērnu bibliotēka", "Ilūkste", true},
		{Subate, "Subates pilsētas bibliotēka", "Subate", false},
		{Bebrene, "Bebrenes pagasta bibliotēka", "Bebrene", false},
		{Dviete, "Dvietes pagasta bibliotēka", "Dviete", false},
		{Eglaine, "Eglaines pagasta bibliotēka", "Eglaine", false},
		{Pilskalne, "Pilskalnes pagasta bibliotēka", "Pilskalne", false},
		{Sedere, "Šēderes pagasta bibliotēka", "Šēdere", false},
		{Pasuliene, "Pašulienes bibliotēka", "Pašuliene", false},
	}
	c := &core.Consortium{Name: "Ilūkstes novada bibliotēkas", Rules: policy.DefaultRuleSet()}
	for i, l := range libs {
		cal := policy.WeekdaysCalendar(loc, l.sat)
		cal.Country = policy.CountryLatvia
		c.Libraries = append(c.Libraries, core.Library{
			ID: l.id, Name: l.name, Address: fmt.Sprintf("Bibliotēkas iela %d, %s (demo)", i+1, l.town),
			Email: fmt.Sprintf("%s@library.example.org", toLowerASCII(l.id)), Phone: fmt.Sprintf("+371 6500%04d", i+1),
			Calendar: cal,
		})
	}
	return c
}

func toLowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

var firstNames = []string{"Jānis", "Anna", "Pēteris", "Līga", "Andris", "Ilze", "Mārtiņš", "Dace", "Kārlis", "Inese",
	"Gunārs", "Zane", "Aivars", "Sandra", "Edgars", "Ieva", "Raimonds", "Kristīne", "Uldis", "Laila"}
var lastNames = []string{"Bērziņš", "Kalniņa", "Ozoliņš", "Jansone", "Liepiņš", "Krūmiņa", "Zariņš", "Pētersone",
	"Vītols", "Kļaviņa", "Šmits", "Ābele", "Grīnbergs", "Ločmele", "Žagars", "Čakste", "Ķēniņš", "Ņikitina", "Ūdris", "Eglīte"}

// Special patrons of the demo set (README lists them).
const (
	PatronGood        = "P0001" // adult in good standing
	PatronBlocked     = "P0002" // blocked by staff
	PatronAtLimit     = "P0003" // has 5 items out: at the loan limit
	PatronChild       = "P0004" // 11 years old, guardian gets the notices
	PatronNonResident = "P0005" // lives outside the county: reading room only
	PatronRemoteOnly  = "P0006" // registered remotely, identity not confirmed
	PatronDebtor      = "P0007" // owes 6.00 EUR: over the 5.00 limit
	PatronEID         = "P0008" // has an eID personal code, see PersonalCodeEID
	PersonalCodeEID   = "010190-12345"
)

// Patrons returns the 100 demo patrons P0001…P0100, all with PIN 1234.
func Patrons(now time.Time) []core.NewPatron {
	var out []core.NewPatron
	homes := []string{Central, Central, Central, Children, Subate, Bebrene, Dviete, Eglaine, Pilskalne, Sedere, Pasuliene}
	for i := 1; i <= 100; i++ {
		first, last := firstNames[(i-1)%len(firstNames)], lastNames[(i*7)%len(lastNames)]
		p := core.Patron{
			ID: fmt.Sprintf("P%04d", i), Name: first + " " + last,
			Email:    fmt.Sprintf("p%04d@patron.example.org", i),
			Category: "adult", HomeLibrary: homes[i%len(homes)],
			BirthDate:         time.Date(1960+i%40, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC),
			IdentityConfirmed: true, Resident: true, Language: "lv",
		}
		switch p.ID {
		case PatronGood:
			p.Name, p.HomeLibrary = "Jānis Bērziņš", Central
		case PatronBlocked:
			p.Blocked, p.BlockReason = true, "card reported stolen"
		case PatronChild:
			p.Name, p.Category, p.HomeLibrary = "Katrīna Ozoliņa", "child", Children
			p.BirthDate = now.AddDate(-11, 0, 0).Truncate(24 * time.Hour)
			p.Guardian = &core.Contact{Name: "Inga Ozoliņa", Email: "guardian.p0004@patron.example.org"}
		case PatronNonResident:
			p.Resident = false
		case PatronRemoteOnly:
			p.IdentityConfirmed = false
		case PatronEID:
			p.PersonalCode = PersonalCodeEID
		}
		out = append(out, core.NewPatron{Patron: p, PIN: PIN})
	}
	return out
}

// Titles of the demo catalogue, by record id (001 of the demo MARC records).
type Title struct {
	RecordID, Title, Author, Material string
	HighDemand, ReadingRoom           bool
}

// Titles lists the demo titles.
func Titles() []Title {
	return []Title{
		{"demo-0001", "Zaļā zeme", "Andrejs Upīts", policy.MaterialBook, false, false},
		{"demo-0002", "Mērnieku laiki", "Reinis un Matīss Kaudzītes", policy.MaterialBook, false, false},
		{"demo-0003", "Dvēseļu putenis", "Aleksandrs Grīns", policy.MaterialBook, true, false},
		{"demo-0004", "Baltās grāmatas", "Jānis Jaunsudrabiņš", policy.MaterialBook, false, false},
		{"demo-0005", "Latviešu valodas vārdnīca", "", policy.MaterialReference, false, true},
		{"demo-0006", "Ilūkstes novada vēsture", "Edgars Ločmelis", policy.MaterialBook, false, true},
		{"demo-0007", "Ir", "", policy.MaterialMagazine, false, false},
		{"demo-0008", "Rūdolfa mantojums", "Rūdolfs Blaumanis", policy.MaterialAudio, false, false},
		{"demo-0009", "Deutsch für Anfänger: kursa komplekts", "", policy.MaterialKit, false, false},
		{"demo-0010", "Kalevipoeg", "Friedrich Reinhold Kreutzwald", policy.MaterialBook, false, false},
		{"demo-0011", "Krst pri Savici", "France Prešeren", policy.MaterialBook, false, false},
		{"demo-0012", "Tõde ja õigus", "Anton Hansen Tammsaare", policy.MaterialBook, false, false},
	}
}

// Items returns the demo copies I000001… spread over the libraries:
// I000001-I000360 are thirty copies of each demo title, I000361 on one copy
// of each real record. I000001 is an ordinary book on the shelf at the
// central library.
func Items() []core.Item {
	libs := []string{Central, Children, Subate, Bebrene, Dviete, Eglaine, Pilskalne, Sedere, Pasuliene}
	titles := Titles()
	var out []core.Item
	n := 0
	for round := 0; round < 30; round++ {
		for ti, t := range titles {
			n++
			lib := libs[(round+ti)%len(libs)]
			it := core.Item{
				ID: fmt.Sprintf("I%06d", n), InventoryNumber: fmt.Sprintf("INV-%s-%05d", lib, n), RecordID: t.RecordID,
				Title: t.Title, Author: t.Author, Library: lib, Material: t.Material,
				CallNumber: fmt.Sprintf("%d/%s", 80+ti, initial(t.Author, t.Title)), Value: core.Money(500 + 100*(ti%10)),
				HighDemand: t.HighDemand, ReadingRoomOnly: t.ReadingRoom,
			}
			if n%97 == 0 {
				it.ILL = true // received from another library by ILL
			}
			out = append(out, it)
		}
	}
	// One copy of each real record, spread over the libraries.
	for i, rec := range RealRecords() {
		n++
		lib := libs[i%len(libs)]
		title := ""
		if f := rec.First("245"); f != nil {
			title = strings.TrimRight(strings.TrimSpace(f.Text("ab")), " /:;,.")
		}
		author := ""
		if f := rec.First("100"); f != nil {
			author = strings.TrimRight(f.Sub('a'), " ,.")
		}
		out = append(out, core.Item{
			ID: fmt.Sprintf("I%06d", n), InventoryNumber: fmt.Sprintf("INV-%s-%05d", lib, n), RecordID: rec.ControlNumber(),
			Title: title, Author: author, Library: lib, Material: policy.MaterialBook,
			CallNumber: fmt.Sprintf("004/%s", initial(author, title)), Value: 2500,
		})
	}
	return out
}

func initial(author, title string) string {
	s := author
	if s == "" {
		s = title
	}
	for _, r := range s {
		return string(r)
	}
	return "?"
}

// Load writes the demo consortium's patrons and items through svc, then
// puts the special patrons in their states: P0003 borrows five books, P0007
// is charged 6.00 EUR.
func Load(ctx context.Context, svc *core.Service) error {
	if err := svc.RegisterPatrons(ctx, Patrons(svc.Now())); err != nil {
		return fmt.Errorf("demo patrons: %w", err)
	}
	items := Items()
	if err := svc.PutItems(ctx, items); err != nil {
		return fmt.Errorf("demo items: %w", err)
	}
	lent := 0
	titleCopies := 12 * 30 // the demo titles' copies come first
	for _, it := range items[titleCopies-60 : titleCopies] {
		if lent == 5 || it.Material != policy.MaterialBook || it.ReadingRoomOnly || it.ILL || it.HighDemand {
			continue
		}
		if _, err := svc.Checkout(ctx, core.CheckoutRequest{Library: it.Library, PatronID: PatronAtLimit, ItemID: it.ID}); err != nil {
			return fmt.Errorf("demo loan %s: %w", it.ID, err)
		}
		lent++
	}
	if _, err := svc.Charge(ctx, PatronDebtor, core.FeeDamage, 600, "", "damaged book (demo)"); err != nil {
		return fmt.Errorf("demo fee: %w", err)
	}
	return nil
}

// Loaded reports whether the demo data is already in the store (so a
// restart does not load it twice).
func Loaded(ctx context.Context, svc *core.Service) (bool, error) {
	_, err := svc.Item(ctx, "I000001")
	if err == nil {
		return true, nil
	}
	if core.ReasonOf(err) == core.ReasonItemNotFound {
		return false, nil
	}
	return false, err
}

// LoadBench adds a benchmark population on top of the demo data: patrons
// B00001… (adults in good standing, PIN 1234, home library ILU) and
// ordinary books X0000001… on the shelf at the central library, so that a
// load test can keep every connection busy with its own patron and items.
// It is idempotent: what exists is left alone.
func LoadBench(ctx context.Context, svc *core.Service, patrons, items int) error {
	if patrons > 0 {
		if _, err := svc.Patron(ctx, fmt.Sprintf("B%05d", patrons)); err != nil {
			var ps []core.NewPatron
			for i := 1; i <= patrons; i++ {
				ps = append(ps, core.NewPatron{PIN: PIN, Patron: core.Patron{ID: fmt.Sprintf("B%05d", i),
					Name: fmt.Sprintf("Bench Lasītājs %d", i), Category: "adult", HomeLibrary: Central,
					IdentityConfirmed: true, Resident: true, Language: "lv"}})
			}
			if err := svc.RegisterPatrons(ctx, ps); err != nil {
				return fmt.Errorf("bench patrons: %w", err)
			}
		}
	}
	const batch = 10000
	for from := 1; from <= items; from += batch {
		last := min(from+batch-1, items)
		if _, err := svc.Item(ctx, fmt.Sprintf("X%07d", last)); err == nil {
			continue
		}
		var its []core.Item
		for i := from; i <= last; i++ {
			its = append(its, core.Item{ID: fmt.Sprintf("X%07d", i), RecordID: fmt.Sprintf("bench-%04d", i%1000),
				Title: fmt.Sprintf("Bench grāmata %d", i%1000), Library: Central, Material: policy.MaterialBook,
				CallNumber: "BENCH", Value: 1000})
		}
		if err := svc.PutItems(ctx, its); err != nil {
			return fmt.Errorf("bench items: %w", err)
		}
	}
	return nil
}
