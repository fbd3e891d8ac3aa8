// Package gencat generates synthetic MARC 21 catalogues for load tests,
// benchmarks and demonstrations: deterministic ISO 2709 files of any size,
// derived from a small embedded sample of real records.
package gencat

import (
	"bufio"
	"bytes"
	_ "embed" // the sample records
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bibgate/bibgate/marc"
)

// baseMRC is a sample of real records (pymarc test data, BSD-2-Clause; see
// PROVENANCE.md).
//
//go:embed base.mrc
var baseMRC []byte

// BaseRecords returns the embedded sample records, read with marc.Reader
// (UTF-8, NFC).
func BaseRecords() ([]*marc.Record, error) {
	r := marc.NewReader(bytes.NewReader(baseMRC))
	var recs []*marc.Record
	for {
		rec, err := r.Next()
		if err == io.EOF {
			return recs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("gencat: embedded sample: %w", err)
		}
		recs = append(recs, rec)
	}
}

// Generate writes n synthetic records in ISO 2709 (UTF-8) to w. The output
// depends only on n, seed and base: the same arguments give byte-identical
// output. Each record takes its shape (leader, physical description,
// classification, some subjects and notes) from a base record and gets a
// new title, author, publisher, date, language and identifiers: ISBN-13
// (about one in ten ISBN-10 instead) with valid check digits for books,
// ISSNs for serials. Names and titles include Latvian, Estonian and
// Slovenian letters with diacritics. Control numbers (001) are "bg"
// followed by the record's 1-based number, zero-padded to 9 digits, so
// they are unique. A nil or empty base means BaseRecords.
func Generate(w io.Writer, n int, seed int64, base []*marc.Record) error {
	if n < 0 {
		return fmt.Errorf("gencat: negative record count %d", n)
	}
	if len(base) == 0 {
		var err error
		if base, err = BaseRecords(); err != nil {
			return err
		}
		if len(base) == 0 {
			return errors.New("gencat: no base records")
		}
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	mw := marc.NewWriter(bw)
	g := &generator{base: base, words: titleWords(base), subjects: subjectPool(base)}
	for i := 0; i < n; i++ {
		rec := g.record(i, newRNG(seed, uint64(i)))
		if err := mw.Write(rec); err != nil {
			return fmt.Errorf("gencat: record %d: %w", i+1, err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("gencat: write: %w", err)
	}
	return nil
}

// rng is SplitMix64: tiny, fast, and fixed here so that the output never
// changes with the Go version.
type rng struct{ state uint64 }

// newRNG gives record i of a catalogue its own stream, so that a record
// does not depend on the ones before it.
func newRNG(seed int64, i uint64) *rng {
	r := &rng{state: uint64(seed)*0x9E3779B97F4A7C15 ^ (i+1)*0xD1B54A32D192ED03}
	r.next()
	return r
}

func (r *rng) next() uint64 {
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// intn returns a number in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// chance is true with probability pct/100.
func (r *rng) chance(pct int) bool { return r.intn(100) < pct }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// culture groups what a record in one language draws on.
type culture struct {
	lang       string // MARC language code (008/35-37, 041)
	country    string // MARC country code (008/15-17)
	given      []string
	surnames   []string
	titleWords []string // empty: words of the base records
	publishers []publisher
	subjects   []string
	partWord   string // "Part" in the language, for multipart titles
}

type publisher struct{ place, name string }

var cultures = []culture{
	{lang: "lav", country: "lv ",
		given:      []string{"Jānis", "Anna", "Pēteris", "Līga", "Krišjānis", "Ērika", "Māris", "Inese", "Kārlis", "Zane", "Rūdolfs", "Aija", "Andris", "Ilze", "Valdis", "Dace"},
		surnames:   []string{"Bērziņš", "Kalniņa", "Ozoliņš", "Jansons", "Liepiņa", "Krūmiņš", "Zariņa", "Vītols", "Šmits", "Eglīte", "Grīnberga", "Pūce", "Kļaviņš", "Ābele", "Čakste", "Ķēniņš"},
		titleWords: []string{"Dzīve", "saule", "jūra", "mežs", "ceļš", "vēsture", "dziesmas", "pasakas", "zeme", "gaisma", "Rīga", "dzimtene", "ēnas", "sirds", "laiks", "vārdi", "ūdens", "pilsēta", "ziema", "ģimene"},
		publishers: []publisher{{"Rīga", "Zvaigzne ABC"}, {"Rīga", "Jumava"}, {"Rīga", "Liels un mazs"}, {"Rīga", "Dienas Grāmata"}, {"Jelgava", "Latvijas Lauksaimniecības universitāte"}},
		subjects:   []string{"Latviešu literatūra", "Latvija — Vēsture", "Bērnu literatūra", "Dzeja", "Tautasdziesmas"},
		partWord:   "daļa"},
	{lang: "est", country: "er ",
		given:      []string{"Jüri", "Mari", "Tõnu", "Külli", "Andres", "Kärt", "Mihkel", "Ülle", "Jaan", "Piret", "Toomas", "Tiiu", "Märt", "Õie"},
		surnames:   []string{"Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kõiv", "Rebane", "Õunapuu", "Pärn", "Jõgi", "Lääne", "Sõber", "Ilves", "Kütt", "Vähi"},
		titleWords: []string{"Öö", "mõõk", "päike", "järv", "kõnnumaa", "lood", "ajalugu", "mäng", "tõde", "õigus", "meri", "küla", "ööbik", "sõprus", "rännak", "jõgi", "lõuna", "süda"},
		publishers: []publisher{{"Tallinn", "Varrak"}, {"Tallinn", "Tänapäev"}, {"Tartu", "Tartu Ülikooli Kirjastus"}, {"Tallinn", "Eesti Raamat"}, {"Tallinn", "Pegasus"}},
		subjects:   []string{"Eesti kirjandus", "Eesti — Ajalugu", "Lasteraamatud", "Luule", "Rahvaluule"},
		partWord:   "osa"},
	{lang: "slv", country: "xv ",
		given:      []string{"Janez", "Marija", "Franc", "Ana", "Jože", "Špela", "Matej", "Nataša", "Žiga", "Urška", "Blaž", "Tjaša", "Boštjan", "Maša"},
		surnames:   []string{"Novak", "Horvat", "Kovačič", "Krajnc", "Zupančič", "Potočnik", "Kovač", "Mlakar", "Žagar", "Šušteršič", "Vidmar", "Čebular", "Golob", "Turk", "Kos"},
		titleWords: []string{"Življenje", "sonce", "morje", "gozd", "pot", "zgodovina", "pesmi", "pravljice", "čas", "ljudje", "Ljubljana", "domovina", "sanje", "zemlja", "reka", "šola", "ptice", "večer"},
		publishers: []publisher{{"Ljubljana", "Mladinska knjiga"}, {"Ljubljana", "Cankarjeva založba"}, {"Maribor", "Založba Obzorja"}, {"Ljubljana", "Študentska založba"}, {"Ljubljana", "Beletrina"}},
		subjects:   []string{"Slovenska književnost", "Slovenija — Zgodovina", "Mladinska literatura", "Poezija", "Ljudsko slovstvo"},
		partWord:   "del"},
	{lang: "lit", country: "li ",
		given:      []string{"Jonas", "Ona", "Petras", "Rūta", "Vytautas", "Eglė", "Žydrūnas", "Aušra"},
		surnames:   []string{"Kazlauskas", "Jankauskienė", "Petrauskas", "Žukauskas", "Butkutė", "Šimkus", "Vaitkevičius", "Čiurlionis"},
		titleWords: []string{"Gyvenimas", "saulė", "jūra", "miškas", "kelias", "istorija", "dainos", "pasakos", "žemė", "šviesa", "Vilnius", "širdis"},
		publishers: []publisher{{"Vilnius", "Alma littera"}, {"Vilnius", "Baltos lankos"}, {"Kaunas", "Šviesa"}},
		subjects:   []string{"Lietuvių literatūra", "Lietuva — Istorija", "Poezija"},
		partWord:   "dalis"},
	{lang: "eng", country: "enk",
		given:      []string{"John", "Mary", "David", "Sarah", "Michael", "Emma", "James", "Laura", "Peter", "Anne"},
		surnames:   []string{"Smith", "Brown", "Jones", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Roberts", "Walker"},
		publishers: []publisher{{"London", "Penguin"}, {"Abingdon", "Routledge"}, {"Oxford", "Oxford University Press"}, {"Cambridge", "Cambridge University Press"}},
		partWord:   "Part"},
	{lang: "eng", country: "nyu",
		given:      []string{"Robert", "Linda", "William", "Susan", "Richard", "Karen", "Thomas", "Nancy"},
		surnames:   []string{"Johnson", "Williams", "Miller", "Garcia", "Martinez", "Anderson", "Clark", "Lewis"},
		publishers: []publisher{{"New York", "Knopf"}, {"New York", "Random House"}, {"Sebastopol, CA", "O'Reilly"}, {"Boston", "Addison-Wesley"}},
		partWord:   "Part"},
	{lang: "ger", country: "gw ",
		given:      []string{"Jürgen", "Anna", "Klaus", "Monika", "Günter", "Ursula", "Stefan", "Jörg"},
		surnames:   []string{"Müller", "Schmidt", "Schäfer", "Weiß", "Köhler", "Groß", "Böhm", "Krüger"},
		titleWords: []string{"Leben", "Sonne", "Meer", "Wald", "Weg", "Geschichte", "Lieder", "Märchen", "Zeit", "Straße", "Grüße", "Brücke"},
		publishers: []publisher{{"Frankfurt am Main", "Suhrkamp"}, {"München", "C.H. Beck"}, {"Berlin", "Aufbau"}},
		subjects:   []string{"Deutsche Literatur", "Geschichte"},
		partWord:   "Teil"},
	{lang: "rus", country: "ru ",
		given:      []string{"Ivan", "Anna", "Sergeĭ", "Natalʹi︠a︡", "Dmitriĭ", "Olʹga"},
		surnames:   []string{"Ivanov", "Petrova", "Smirnov", "Kuznet︠s︡ov", "Popova", "Sokolov"},
		titleWords: []string{"Zhiznʹ", "solnt︠s︡e", "more", "les", "putʹ", "istorii︠a︡", "pesni", "skazki"},
		publishers: []publisher{{"Moskva", "Nauka"}, {"Sankt-Peterburg", "Azbuka"}},
		partWord:   "chastʹ"},
}

// cultureWeights sets how often each culture is drawn (same order).
var cultureWeights = []int{22, 18, 18, 6, 16, 10, 6, 4}

func pickCulture(r *rng) *culture {
	total := 0
	for _, w := range cultureWeights {
		total += w
	}
	x := r.intn(total)
	for i, w := range cultureWeights {
		if x < w {
			return &cultures[i]
		}
		x -= w
	}
	return &cultures[0]
}

type generator struct {
	base     []*marc.Record
	words    []string
	subjects []string
}

// titleWords collects the words of the base records' titles.
func titleWords(base []*marc.Record) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range base {
		f := r.First("245")
		if f == nil {
			continue
		}
		for _, w := range strings.Fields(f.Text("ab")) {
			w = strings.Trim(w, " /:;,.=[]()")
			if len([]rune(w)) < 4 || seen[w] {
				continue
			}
			seen[w] = true
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		out = []string{"Catalogue", "Library", "Records"}
	}
	return out
}

func subjectPool(base []*marc.Record) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range base {
		for _, f := range r.FieldsByTag("650") {
			s := strings.TrimRight(f.Sub('a'), " .")
			if s != "" && !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		out = []string{"Libraries"}
	}
	return out
}

func (g *generator) title(r *rng, c *culture) (title, subtitle string) {
	words := c.titleWords
	if len(words) == 0 {
		words = g.words
	}
	n := 2 + r.intn(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = pick(r, words)
	}
	title = capitalise(strings.Join(parts, " "))
	if c.lang == "eng" && r.chance(25) {
		title = pick(r, []string{"The ", "A "}) + strings.Join(parts, " ")
	}
	if r.chance(30) {
		subtitle = strings.ToLower(pick(r, words)) + " " + strings.ToLower(pick(r, words))
	}
	if r.chance(8) {
		subtitle = strings.TrimSpace(subtitle + " " + strconv.Itoa(1+r.intn(5)) + ". " + c.partWord)
	}
	return title, subtitle
}

func capitalise(s string) string {
	for i, c := range s {
		return strings.ToUpper(string(c)) + s[i+len(string(c)):]
	}
	return s
}

// nonfiling counts the characters of a leading article (245 ind2).
func nonfiling(title string) byte {
	for _, a := range []string{"The ", "A "} {
		if strings.HasPrefix(title, a) {
			return byte('0' + len(a))
		}
	}
	return '0'
}

func (g *generator) record(i int, r *rng) *marc.Record {
	b := g.base[r.intn(len(g.base))]
	c := pickCulture(r)
	serial := r.chance(5)
	year := 2026 - r.intn(127)*r.intn(127)/126 // 1900-2026, more recent years more often
	entered := year + r.intn(3)
	if entered > 2026 {
		entered = 2026
	}

	leader := []byte(b.Leader)
	if len(leader) != 24 {
		leader = []byte("00000nam a2200000 a 4500")
	}
	leader[5] = 'n'
	if leader[6] == ' ' {
		leader[6] = 'a'
	}
	leader[7] = 'm'
	if serial {
		leader[6], leader[7] = 'a', 's'
	}
	rec := &marc.Record{Leader: string(leader)}
	add := func(f marc.Field) { rec.Fields = append(rec.Fields, f) }
	sub := func(code byte, v string) marc.Subfield { return marc.Subfield{Code: code, Value: v} }

	add(marc.Field{Tag: "001", Value: fmt.Sprintf("bg%09d", i+1)})
	add(marc.Field{Tag: "003", Value: "BibGate"})
	add(marc.Field{Tag: "005", Value: fmt.Sprintf("%04d%02d%02d%02d%02d%02d.0", entered, 1+r.intn(12), 1+r.intn(28), r.intn(24), r.intn(60), r.intn(60))})
	add(marc.Field{Tag: "008", Value: field008(b, r, c, year, entered, serial)})

	if serial {
		add(marc.Field{Tag: "022", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{sub('a', issn(r))}})
	} else if !r.chance(4) {
		isbns := 1
		if r.chance(15) {
			isbns = 2
		}
		for k := 0; k < isbns; k++ {
			v := isbn13(r)
			if r.chance(10) {
				v = isbn10(r)
			}
			if isbns == 2 {
				v += []string{" (hardback)", " (paperback)"}[k]
			}
			add(marc.Field{Tag: "020", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{sub('a', v)}})
		}
	}
	add(marc.Field{Tag: "040", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{sub('a', "BibGate"), sub('b', c.lang), sub('c', "BibGate")}})
	translated := c.lang != "eng" && r.chance(15)
	if translated {
		add(marc.Field{Tag: "041", Ind1: '1', Ind2: ' ', Subfields: []marc.Subfield{sub('a', c.lang), sub('h', "eng")}})
	}
	for _, tag := range []string{"050", "082"} {
		if f := b.First(tag); f != nil {
			add(cloneField(f))
		}
	}

	var author string
	if !serial && r.chance(85) {
		ac := c
		if r.chance(10) {
			ac = pickCulture(r)
		}
		author = pick(r, ac.surnames) + ", " + pick(r, ac.given)
		sf := []marc.Subfield{sub('a', author+",")}
		if r.chance(40) {
			sf = append(sf, sub('d', strconv.Itoa(year-25-r.intn(50))+"-"))
		}
		add(marc.Field{Tag: "100", Ind1: '1', Ind2: ' ', Subfields: append(sf, sub('e', "author."))})
	}
	title, subtitle := g.title(r, c)
	t245 := []marc.Subfield{sub('a', title)}
	if subtitle != "" {
		t245[0].Value += " :"
		t245 = append(t245, sub('b', subtitle))
	}
	if author != "" {
		t245[len(t245)-1].Value += " /"
		parts := strings.SplitN(author, ", ", 2)
		t245 = append(t245, sub('c', parts[1]+" "+parts[0]+"."))
	} else {
		t245[len(t245)-1].Value += "."
	}
	ind1 := byte('0')
	if author != "" {
		ind1 = '1'
	}
	add(marc.Field{Tag: "245", Ind1: ind1, Ind2: nonfiling(title), Subfields: t245})
	if r.chance(12) {
		add(marc.Field{Tag: "250", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{sub('a', strconv.Itoa(2+r.intn(6))+". ed.")}})
	}
	pub := pick(r, c.publishers)
	if r.chance(50) {
		add(marc.Field{Tag: "260", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{sub('a', pub.place+" :"), sub('b', pub.name+","), sub('c', strconv.Itoa(year)+".")}})
	} else {
		add(marc.Field{Tag: "264", Ind1: ' ', Ind2: '1', Subfields: []marc.Subfield{sub('a', pub.place+" :"), sub('b', pub.name+","), sub('c', "["+strconv.Itoa(year)+"]")}})
	}
	if f := b.First("300"); f != nil && r.chance(50) {
		add(cloneField(f))
	} else {
		add(marc.Field{Tag: "300", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{sub('a', strconv.Itoa(24+r.intn(900))+" pages ;"), sub('c', strconv.Itoa(17+r.intn(14))+" cm")}})
	}
	if serial {
		add(marc.Field{Tag: "310", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{sub('a', pick(r, []string{"Monthly", "Quarterly", "Annual", "Weekly"}))}})
	}
	if r.chance(20) {
		if f := b.First("500"); f != nil {
			add(cloneField(f))
		}
	}
	if translated {
		add(marc.Field{Tag: "500", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{sub('a', "Translated from English.")}})
	}
	for k := r.intn(3); k >= 0; k-- {
		if len(c.subjects) > 0 && r.chance(50) {
			add(marc.Field{Tag: "650", Ind1: ' ', Ind2: '7', Subfields: []marc.Subfield{sub('a', pick(r, c.subjects)+"."), sub('2', "local")}})
		} else {
			add(marc.Field{Tag: "650", Ind1: ' ', Ind2: '0', Subfields: []marc.Subfield{sub('a', pick(r, g.subjects)+".")}})
		}
	}
	if r.chance(20) {
		name := pick(r, c.surnames) + ", " + pick(r, c.given)
		add(marc.Field{Tag: "700", Ind1: '1', Ind2: ' ', Subfields: []marc.Subfield{sub('a', name+","), sub('e', pick(r, []string{"editor.", "translator.", "illustrator."}))}})
	}
	return rec
}

// field008 builds the fixed-length data elements: date entered, dates,
// place, the material-specific part from the base record, language.
func field008(b *marc.Record, r *rng, c *culture, year, entered int, serial bool) string {
	mid := strings.Repeat(" ", 17) // 008/18-34
	if f := b.First("008"); f != nil && len(f.Value) == 40 {
		mid = f.Value[18:35]
	}
	dateType, date2 := "s", "    "
	if serial {
		dateType, date2 = "c", "9999"
		mid = pick(r, []string{"m", "q", "a", "w"}) + "r p       0   a0"
	}
	return fmt.Sprintf("%02d%02d%02d%s%04d%s%s%s%s d",
		entered%100, 1+r.intn(12), 1+r.intn(28), dateType, year, date2, c.country, mid, c.lang)
}

func cloneField(f *marc.Field) marc.Field {
	c := *f
	c.Subfields = append([]marc.Subfield(nil), f.Subfields...)
	return c
}

func digits(r *rng, n int) []int {
	d := make([]int, n)
	for i := range d {
		d[i] = r.intn(10)
	}
	return d
}

// isbn13 returns a 978/979 ISBN with a valid check digit.
func isbn13(r *rng) string {
	d := append([]int{9, 7, 8 + r.intn(10)/9}, digits(r, 9)...) // 979 one time in ten
	sum := 0
	for i, x := range d {
		if i%2 == 0 {
			sum += x
		} else {
			sum += 3 * x
		}
	}
	d = append(d, (10-sum%10)%10)
	var b strings.Builder
	for _, x := range d {
		b.WriteByte(byte('0' + x))
	}
	return b.String()
}

// isbn10 returns an ISBN-10 with a valid check digit (which may be X).
func isbn10(r *rng) string {
	d := digits(r, 9)
	sum := 0
	for i, x := range d {
		sum += (10 - i) * x
	}
	check := (11 - sum%11) % 11
	var b strings.Builder
	for _, x := range d {
		b.WriteByte(byte('0' + x))
	}
	if check == 10 {
		b.WriteByte('X')
	} else {
		b.WriteByte(byte('0' + check))
	}
	return b.String()
}

// issn returns an ISSN (NNNN-NNNC) with a valid check digit.
func issn(r *rng) string {
	d := digits(r, 7)
	sum := 0
	for i, x := range d {
		sum += (8 - i) * x
	}
	check := (11 - sum%11) % 11
	c := byte('0' + check)
	if check == 10 {
		c = 'X'
	}
	return fmt.Sprintf("%d%d%d%d-%d%d%d%c", d[0], d[1], d[2], d[3], d[4], d[5], d[6], c)
}
