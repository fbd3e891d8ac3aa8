package app

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	sip2adapter "github.com/bibgate/bibgate/adapters/sip2"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
	"github.com/bibgate/bibgate/internal/config"
	"github.com/bibgate/bibgate/internal/gencat"
	"github.com/bibgate/bibgate/internal/screentext"
	"github.com/bibgate/bibgate/sip2"
	"github.com/bibgate/bibgate/sip2/sip2client"
	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950client"
)

// Stocktaking fixture: 10,000 copies of 1,000 generated titles (ten
// each) on shelf range INV at Subate; 37 are not on the shelves, 5 are on
// loan.
const (
	invCopies  = 10_000
	invTitles  = 1_000
	invUser    = "wand1"
	invPass    = "inventory-wand"
	invLibrary = demo.Subate
)

func invBarcode(i int) string { return fmt.Sprintf("INV%05d", i) }

// invMissing: every 270th copy from the 13th, 37 in all, spread over 37
// titles.
func invMissing() []string {
	var out []string
	for i := 13; len(out) < 37; i += 270 {
		out = append(out, invBarcode(i))
	}
	return out
}

var invOnLoan = []string{invBarcode(2), invBarcode(2_002), invBarcode(4_444), invBarcode(7_001), invBarcode(9_999)}

func invValue(i int) core.Money { return core.Money(150 + i%700) }

// startInventory runs bibgate with SIP2 (a selfcheck account and an
// inventory scanner account at Subate) and Z39.50 on loopback ports, the
// generated titles in the catalogue and the copies in the core.
func startInventory(t *testing.T) *App {
	t.Helper()
	cfg := config.Default()
	cfg.Store.Backend = "memory"
	cfg.DataDir = t.TempDir()
	cfg.Admin.Listen = ""
	cfg.SIP2.Listen = "127.0.0.1:0"
	cfg.Z3950.Listen, cfg.SRU.Listen = "127.0.0.1:0", ""
	yes := true
	cfg.Z3950.Anonymous = &yes
	cfg.SIP2.Accounts = append(cfg.SIP2.Accounts, config.SIP2Account{Login: invUser, Password: invPass, Library: invLibrary,
		Institution: invLibrary, Location: invLibrary, Language: "lv", Inventory: true})
	clock := core.NewFixedClock(time.Date(2026, 11, 2, 10, 0, 0, 0, demo.Riga()))
	a, err := New(cfg, zerolog.Nop(), Options{Clock: clock, KDF: core.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	stop, err := a.Start(context.Background(), 30*time.Second)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("run: %v", err)
		}
	})
	ctx := context.Background()
	var mrc bytes.Buffer
	if err := gencat.Generate(&mrc, invTitles, 317, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Catalogue().Import(ctx, &mrc, catalog.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	items := make([]core.Item, 0, invCopies)
	for i := 1; i <= invCopies; i++ {
		mat := policy.MaterialBook
		if i%9 == 0 {
			mat = policy.MaterialMagazine
		}
		items = append(items, core.Item{ID: invBarcode(i), InventoryNumber: fmt.Sprintf("SUB-%06d", i),
			RecordID: invRecord(i), Title: fmt.Sprintf("Eksemplārs %d", i), Library: invLibrary,
			CallNumber: fmt.Sprintf("INV/%05d", i), Material: mat, Value: invValue(i),
			Accounting: core.Accounting{Entered: time.Date(2015, 1, 10, 0, 0, 0, 0, demo.Riga())}})
	}
	if err := a.Service().PutItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	for g, id := range invOnLoan {
		patron := demo.Patrons(clock.Now())[10+g].ID
		if _, err := a.Service().Checkout(ctx, core.CheckoutRequest{Library: invLibrary, PatronID: patron, ItemID: id}); err != nil {
			t.Fatalf("checkout %s: %v", id, err)
		}
	}
	return a
}

// invRecord is the title (001) of copy i: copies i, i+1000, i+2000 ...
// share one.
func invRecord(i int) string { return fmt.Sprintf("bg%09d", (i-1)%invTitles+1) }

// opacItems returns the item ids in the Z39.50 OPAC record of the title
// with local number key, read with the project's Z39.50 client.
func opacItems(t *testing.T, ctx context.Context, c *z3950client.Client, key string) []string {
	t.Helper()
	sr, err := c.Search(ctx, z3950client.SearchOptions{PQF: "@attr 1=12 " + key})
	if err != nil || sr.ResultCount != 1 {
		t.Fatalf("search %s: %d hits, %v", key, sr.ResultCount, err)
	}
	pr, err := c.Present(ctx, "", 1, 1, z3950.OIDOPAC, "F")
	if err != nil || pr.Records == nil || len(pr.Records.Records) != 1 {
		t.Fatalf("present %s: %+v %v", key, pr, err)
	}
	opac, err := z3950.ParseOPACRecord(pr.Records.Records[0].Record.Single)
	if err != nil {
		t.Fatalf("OPAC record of %s: %v", key, err)
	}
	var ids []string
	for _, h := range opac.Holdings {
		if h.Circ == nil {
			continue
		}
		for _, c := range h.Circ.Circulation {
			ids = append(ids, c.ItemID)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestStocktakeBySIP2Scanners: four inventory wands scan the shelves over
// SIP2 (17 and 19, as the vendors' wands send), one scans a barcode with
// no record. The inventory act lists exactly the 37 copies not scanned
// with their value, the 5 on loan, and the barcode with no record;
// writing the 37 off takes them out of the Z39.50 OPAC holdings.
func TestStocktakeBySIP2Scanners(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 scans over SIP2")
	}
	a := startInventory(t)
	ctx := context.Background()
	svc := a.Service()
	sipAddr, zAddr := a.Addr("sip2").String(), a.Addr("z3950").String()

	zc, err := z3950client.Dial(ctx, zAddr, z3950client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Abort()
	if _, err := zc.Init(ctx, z3950client.InitOptions{}); err != nil {
		t.Fatal(err)
	}
	missing := invMissing()
	var missingValue core.Money
	for _, id := range missing {
		var i int
		fmt.Sscanf(id, "INV%d", &i)
		missingValue += invValue(i)
	}
	// Before: the OPAC shows the missing copy among its title's ten.
	if got := opacItems(t, ctx, zc, invRecord(13)); len(got) != 10 || !slices.Contains(got, missing[0]) {
		t.Fatalf("holdings of %s before: %v", invRecord(13), got)
	}

	// A wand before the stocktaking is opened is told so.
	wand := func() *sip2client.Client {
		c, err := sip2client.Dial(ctx, sipAddr, sip2client.Options{ErrorDetection: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Login(ctx, invUser, invPass, invLibrary); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c0 := wand()
	resp, err := c0.Send(ctx, &sip2.ItemInformationRequest{TransactionDate: svc.Now(), InstitutionID: invLibrary, ItemID: invBarcode(1)})
	if err != nil {
		t.Fatal(err)
	}
	if ir := resp.(*sip2.ItemInformationResponse); !slices.Contains(ir.ScreenMessages, screentext.For(core.ReasonNoStocktake, "lv")) {
		t.Fatalf("scan with no stocktaking open: %+v", ir)
	}
	c0.Close()

	st, err := svc.OpenStocktake(ctx, core.StocktakeRequest{Library: invLibrary, FromCallNumber: "INV", ToCallNumber: "INV",
		Commission: core.Commission{Chair: "Inese Kalniņa", Members: []string{"Pēteris Ozols", "Līga Liepa"}}})
	if err != nil {
		t.Fatal(err)
	}
	var shelf []string
	for i := 1; i <= invCopies; i++ {
		if id := invBarcode(i); !slices.Contains(missing, id) && !slices.Contains(invOnLoan, id) {
			shelf = append(shelf, id)
		}
	}
	shelf = append(shelf, "NOREC-0001", invBarcode(100)) // no record; and one scanned twice
	const wands = 4
	var wg sync.WaitGroup
	errs := make(chan error, wands)
	start := time.Now()
	for w := 0; w < wands; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := wand()
			defer c.Close()
			for i := w; i < len(shelf); i += wands {
				id := shelf[i]
				var af []string
				if i%2 == 0 {
					r, err := c.Send(ctx, &sip2.ItemInformationRequest{TransactionDate: svc.Now(), InstitutionID: invLibrary, ItemID: id})
					if err != nil {
						errs <- err
						return
					}
					af = r.(*sip2.ItemInformationResponse).ScreenMessages
				} else {
					r, err := c.Send(ctx, &sip2.ItemStatusUpdateRequest{TransactionDate: svc.Now(), InstitutionID: invLibrary, ItemID: id})
					if err != nil {
						errs <- err
						return
					}
					ur := r.(*sip2.ItemStatusUpdateResponse)
					if !ur.ItemPropertiesOK {
						errs <- fmt.Errorf("19 for %s not ok: %+v", id, ur)
						return
					}
					af = ur.ScreenMessages
				}
				want := screentext.StocktakeSeen
				switch {
				case id == "NOREC-0001":
					want = screentext.StocktakeNoRecord
				case i == len(shelf)-1:
					want = screentext.StocktakeSeenAgain
				}
				if !slices.Contains(af, screentext.For(want, "lv")) {
					errs <- fmt.Errorf("scan %d %s: AF %q, want %s", i, id, af, want)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d scans by %d wands in %s", len(shelf), wands, time.Since(start))

	act, err := svc.CloseStocktake(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	var gotMissing, gotLoan []string
	for _, c := range act.Missing {
		gotMissing = append(gotMissing, c.ID)
	}
	for _, c := range act.OnLoan {
		gotLoan = append(gotLoan, c.ID)
	}
	if act.Expected.Copies() != invCopies || act.Found.Copies() != invCopies-37-5 {
		t.Errorf("expected %d found %d", act.Expected.Copies(), act.Found.Copies())
	}
	if !slices.Equal(gotMissing, missing) || act.MissingTally.Value != missingValue {
		t.Errorf("missing %v worth %s, want %v worth %s", gotMissing, act.MissingTally.Value, missing, missingValue)
	}
	if !slices.Equal(gotLoan, invOnLoan) {
		t.Errorf("on loan %v, want %v", gotLoan, invOnLoan)
	}
	if !slices.Equal(act.NoRecord, []string{"NOREC-0001"}) {
		t.Errorf("found without record %v", act.NoRecord)
	}
	if act.Number.String() != "1/2026" {
		t.Errorf("act number %s", act.Number)
	}

	wo, err := svc.DraftWriteOff(ctx, core.WriteOffRequest{Library: invLibrary, FromStocktake: st.ID, Reason: "lost",
		Commission: act.Commission})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveWriteOff(ctx, wo.ID, "Anna Vadītāja"); err != nil {
		t.Fatal(err)
	}
	for _, id := range missing {
		var i int
		fmt.Sscanf(id, "INV%d", &i)
		got := opacItems(t, ctx, zc, invRecord(i))
		if slices.Contains(got, id) || len(got) != 9 {
			t.Errorf("OPAC holdings of %s after writing off %s: %v", invRecord(i), id, got)
		}
	}
	// A title none of whose copies were written off keeps all ten.
	if got := opacItems(t, ctx, zc, invRecord(1)); len(got) != 10 {
		t.Errorf("holdings of %s: %v", invRecord(1), got)
	}
	if !strings.HasPrefix(wo.ID, "WO") {
		t.Errorf("write-off act id %q", wo.ID)
	}
}

// TestInventoryAccountFromConfig: inventory = true in a [[sip2.account]]
// reaches the adapter as its inventory option; other accounts stay
// selfchecks.
func TestInventoryAccountFromConfig(t *testing.T) {
	cfg, err := config.Parse("bibgate.toml", `
[demo]
load = true

[[sip2.account]]
login = "wand1"
password = "inventory-wand"
library = "SUB"
inventory = true

[[sip2.account]]
login = "kiosk"
password = "kiosk-password"
library = "SUB"
`)
	if err != nil {
		t.Fatal(err)
	}
	accts, err := SIP2Accounts(&cfg.SIP2)
	if err != nil {
		t.Fatal(err)
	}
	for login, want := range map[string]string{"wand1": "true", "kiosk": "false"} {
		a, ok := accts.Account(login)
		if !ok || a.Options[sip2adapter.OptionInventory] != want {
			t.Errorf("%s: inventory option %q, want %q", login, a.Options[sip2adapter.OptionInventory], want)
		}
	}
}
