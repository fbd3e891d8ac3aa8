package staffweb_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/ill/partners"
)

// fakeCatalogues answers the console's lookups as the partners'
// catalogues would, ranked: the national library has a copy on the shelf,
// Tartu's is out until 20 November with one reader waiting, the Estonian
// national library keeps its copy in the reading room, and Vilnius did
// not answer in time. It remembers what it was asked.
type fakeCatalogues struct {
	mu    sync.Mutex
	asked []partners.Query
}

func (f *fakeCatalogues) find(_ context.Context, q partners.Query) (*partners.Result, error) {
	f.mu.Lock()
	f.asked = append(f.asked, q)
	f.mu.Unlock()
	cand := func(p, name string, h partners.Holding) partners.Candidate {
		return partners.Candidate{Partner: p, Name: name, Title: "Kalevipoeg", Author: "Kreutzwald, Friedrich Reinhold", ISBN: "9789985304437",
			Material: "book", Holdings: []partners.Holding{h}, LendsType: true, Lendable: h.Lendable(), AvailableNow: h.Status == partners.Available}
	}
	lnb := cand("LV:LNB", "Latvijas Nacionālā bibliotēka", partners.Holding{Library: "LNB", LibraryName: "LNB Krātuve", CallNumber: "894.5 Kr", Status: partners.Available, Source: "opac"})
	tartu := cand(illPartner, "Tartu Ülikooli Raamatukogu", partners.Holding{Library: "TÜR", CallNumber: "A-123", Status: partners.OnLoan, Due: "2026-11-20", OnHold: true, Source: "opac"})
	tartu.Due, tartu.Queue = "2026-11-20", 1
	nlib := cand("EE:NLIB", "Rahvusraamatukogu", partners.Holding{Library: "RR", Status: partners.ReadingRoomOnly, Restriction: "lugemissaal", Source: "852"})
	return &partners.Result{Query: q.String(), Candidates: []partners.Candidate{lnb, tartu, nlib}, Targets: []partners.Outcome{
		{Partner: "LV:LNB", Catalogue: "z3950:lnb:210/default", Hits: 1},
		{Partner: illPartner, Catalogue: "z3950:tartu:210/default", Hits: 1},
		{Partner: "EE:NLIB", Catalogue: "sru:https://nlib/sru", Hits: 1},
		{Partner: "LT:VU", Catalogue: "z3950:vu:210/default", TimedOut: true, Error: "no answer within 2s"},
	}}, nil
}

func (f *fakeCatalogues) queries() []partners.Query {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asked)
}

var morePartners = []core.ILLPartner{{Symbol: "LV:LNB", Name: "Latvijas Nacionālā bibliotēka"}, {Symbol: "EE:NLIB", Name: "Rahvusraamatukogu"}}

// checked reports whether the supplier's box is ticked on the page.
func checked(page, partner string) bool {
	re := regexp.MustCompile(`<input type="checkbox" name="rota" value="` + regexp.QuoteMeta(partner) + `" id="[^"]*"( checked)?>`)
	m := re.FindStringSubmatch(page)
	return m != nil && m[1] != ""
}

// TestILLFindSuppliersAndSendDownARota: the ILL librarian types the ISBN
// and presses Find suppliers: the page lists the partners holding it, best
// first, with their copies' availability, proposes the ones that lend it,
// and names the catalogue that did not answer. She orders the two she
// ticks the other way round and sends: the request goes to the first of
// her order with the other next, and the transaction page shows the rota.
// Staff without ILL cannot look up, a title and author are looked up when
// there is no ISBN, and a console without partner catalogues offers no
// lookup.
func TestILLFindSuppliersAndSendDownARota(t *testing.T) {
	cats := &fakeCatalogues{}
	c := newILLConsoleWith(t, morePartners, cats.find)
	liga, ilze := c.client(), c.client()
	tok, _ := c.signIn(liga, "liga")
	ilzeTok, _ := c.signIn(ilze, "ilze")

	if status, _, _ := c.post(ilze, ilzeTok, "/staff/ill/new", url.Values{"find": {"1"}, "isbn": {"9789985304437"}}); status != http.StatusForbidden {
		t.Errorf("circulation librarian's lookup: %d, want 403", status)
	}
	if n := len(cats.queries()); n != 0 {
		t.Fatalf("the catalogues were asked %d times for a librarian without ILL", n)
	}

	_, form := c.get(liga, "/staff/ill/new?lang=en&patron="+demo.PatronGood)
	if !strings.Contains(form, `id="ill-find"`) {
		t.Fatalf("no Find suppliers on the form:\n%s", form)
	}
	status, _, page := c.post(liga, tok, "/staff/ill/new?lang=en", url.Values{"find": {"1"}, "patron": {demo.PatronGood}, "isbn": {"9789985304437"},
		"partner": {illPartner}, "service": {"loan"}})
	if status != http.StatusOK {
		t.Fatalf("find: %d\n%s", status, page)
	}
	if q := cats.queries(); len(q) != 1 || q[0] != (partners.Query{ISBN: "9789985304437"}) {
		t.Errorf("asked %+v", q)
	}
	var order []string
	for _, m := range regexp.MustCompile(`<tr data-partner="([^"]+)">`).FindAllStringSubmatch(page, -1) {
		order = append(order, m[1])
	}
	if want := []string{"LV:LNB", illPartner, "EE:NLIB"}; !slices.Equal(order, want) {
		t.Errorf("suppliers %v, want %v", order, want)
	}
	for _, tc := range []struct {
		partner string
		ticked  bool
	}{{"LV:LNB", true}, {illPartner, true}, {"EE:NLIB", false}} {
		if checked(page, tc.partner) != tc.ticked {
			t.Errorf("%s ticked: %v, want %v", tc.partner, !tc.ticked, tc.ticked)
		}
	}
	for _, want := range []string{"available now", "until 2026-11-20", "1 in queue", "reading room only", "LNB Krātuve", "894.5 Kr",
		`data-status="on loan"`, "LT:VU: did not answer in time", `value="` + demo.PatronGood + `"`, "4 catalogues asked."} {
		if !strings.Contains(page, want) {
			t.Errorf("the suppliers do not say %q:\n%s", want, page)
		}
	}

	status, loc, body := c.post(liga, tok, "/staff/ill/new", url.Values{"patron": {demo.PatronGood}, "isbn": {"9789985304437"}, "title": {"Kalevipoeg"},
		"partner": {illPartner}, "service": {"loan"}, "rota": {"LV:LNB", illPartner}, "order_LV:LNB": {"2"}, "order_" + illPartner: {"1"}})
	if status != http.StatusSeeOther || !strings.Contains(loc, "/staff/ill/t/") {
		t.Fatalf("send: %d to %q\n%s", status, loc, body)
	}
	id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/staff/ill/t/")
	x, err := c.svc.ILLGet(context.Background(), core.ILLRef{ID: id})
	if err != nil {
		t.Fatal(err)
	}
	if x.Partner != illPartner || !slices.Equal(x.Rota, []string{illPartner, "LV:LNB"}) || x.PatronID != demo.PatronGood {
		t.Errorf("request to %s, rota %v, patron %s", x.Partner, x.Rota, x.PatronID)
	}
	if c.kicks.Load() != 1 {
		t.Errorf("the outbox was woken %d times, want once", c.kicks.Load())
	}
	_, txPage := c.get(liga, "/staff/ill/t/"+id+"?lang=en")
	rotaList := regexp.MustCompile(`(?s)<ol id="ill-rota">(.*?)</ol>`).FindStringSubmatch(txPage)
	if rotaList == nil {
		t.Fatalf("no rota on the transaction page:\n%s", txPage)
	}
	first, second := strings.Index(rotaList[1], `data-partner="`+illPartner+`"`), strings.Index(rotaList[1], `data-partner="LV:LNB"`)
	if first < 0 || second < first || !strings.Contains(rotaList[1], "waiting for an answer") || !strings.Contains(rotaList[1], "not asked yet") {
		t.Errorf("rota on the page: %s", rotaList[1])
	}

	c.post(liga, tok, "/staff/ill/new", url.Values{"find": {"1"}, "title": {"Kalevipoeg"}, "author": {"Kreutzwald"}})
	if q := cats.queries(); len(q) != 2 || q[1] != (partners.Query{Title: "Kalevipoeg", Author: "Kreutzwald"}) {
		t.Errorf("title lookup asked %+v", q)
	}
	if status, _, page := c.post(liga, tok, "/staff/ill/new?lang=en", url.Values{"find": {"1"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(page, "Give an ISBN, ISSN or title to look for.") {
		t.Errorf("lookup of nothing: %d\n%s", status, page)
	}

	bare := newILLConsole(t)
	cl := bare.client()
	bare.signIn(cl, "liga")
	if _, form := bare.get(cl, "/staff/ill/new"); strings.Contains(form, `id="ill-find"`) {
		t.Errorf("Find suppliers without partner catalogues")
	}
}

// TestILLDashboardAndPatronLink: the ILL librarian's dashboard counts the
// ILL inbox, what is to ship and what is overdue, and the patron page
// links to a new request for the patron. A circulation librarian sees
// neither; ILL staff of another member library, whom the ILL desk
// refuses, see no ILL link, count or patron link either.
func TestILLDashboardAndPatronLink(t *testing.T) {
	c := newILLConsole(t)
	if _, err := c.svc.AddStaff(context.Background(), nil, core.NewStaff{ID: "sandra", Library: demo.Subate, Name: "Sandra SBA",
		Roles: []core.Role{core.RoleILL}, Password: password}); err != nil {
		t.Fatal(err)
	}
	liga, ilze, sandra := c.client(), c.client(), c.client()
	c.signIn(liga, "liga")
	c.signIn(ilze, "ilze")
	c.signIn(sandra, "sandra")

	_, dash := c.get(liga, "/staff/?lang=en")
	for _, want := range []string{`id="count-ill-inbox"><b>1</b>`, `id="count-ill-to-ship"><b>1</b>`, `id="count-ill-overdue"><b>0</b>`} {
		if !strings.Contains(dash, want) {
			t.Errorf("ILL librarian's dashboard lacks %s:\n%s", want, dash)
		}
	}
	_, patron := c.get(liga, "/staff/patron/"+demo.PatronGood)
	if !strings.Contains(patron, `href="/staff/ill/new?patron=`+demo.PatronGood+`" id="patron-ill-new"`) {
		t.Errorf("no new ILL request on the patron page:\n%s", patron)
	}
	for name, cl := range map[string]*http.Client{"circulation": ilze, "ILL at another library": sandra} {
		_, dash := c.get(cl, "/staff/")
		_, patron := c.get(cl, "/staff/patron/"+demo.PatronGood)
		if strings.Contains(dash, `id="dash-ill"`) || strings.Contains(dash, `id="nav-ill"`) || strings.Contains(patron, `id="patron-ill-new"`) {
			t.Errorf("%s: ILL counts, link or patron link shown", name)
		}
		if status, _ := c.get(cl, "/staff/ill/inbox"); status != http.StatusForbidden {
			t.Errorf("%s: inbox %d, want 403", name, status)
		}
	}
}
