package staffweb_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bibgate/bibgate/adapters/staffweb"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/accounting"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/core/policy"
)

// TestRegisterUDCColumns: the console's summary register counts copies by
// the UDC class of their record (080 $a, from the catalogue) in all three
// parts, on the page and in the CSV, and the classes add up to the copies.
func TestRegisterUDCColumns(t *testing.T) {
	udc := map[string]string{"demo-0001": "821.174-31", "demo-0003": `94(474.3)"1914/1918"`}
	c := newConsoleOpts(t, false, staffweb.Options{Records: func(_ context.Context, ids []string) (map[string]core.RecordFacts, error) {
		out := map[string]core.RecordFacts{}
		for _, id := range ids {
			out[id] = core.RecordFacts{Language: "lav", UDC: udc[id]}
		}
		return out, nil
	}})
	ctx := context.Background()
	entered := time.Date(2026, 3, 2, 10, 0, 0, 0, demo.Riga())
	var items []core.Item
	for i, rec := range []string{"demo-0001", "demo-0001", "demo-0001", "demo-0003", "demo-0003", "demo-0005"} {
		items = append(items, core.Item{ID: fmt.Sprintf("UDC%04d", i+1), RecordID: rec, Title: rec, Library: demo.Central,
			CallNumber: "UDC", Material: policy.MaterialBook, Value: core.Money(300 + i),
			Accounting: core.Accounting{Entered: entered, SummaryRegisterNo: "5/2026"}})
	}
	if err := c.svc.PutItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	wo, err := c.svc.DraftWriteOff(ctx, core.WriteOffRequest{Library: demo.Central, Items: []string{"UDC0001", "UDC0004"},
		Reason: accounting.ReasonWornOut})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.svc.ApproveWriteOff(ctx, wo.ID, "Zane Direktore"); err != nil {
		t.Fatal(err)
	}
	cl := c.client()
	c.signIn(cl, "anna")

	status, page := c.get(cl, "/staff/accounting/register?year=2026")
	if status != 200 {
		t.Fatalf("register: %d\n%s", status, page)
	}
	for _, part := range []string{"register-part1", "register-part2", "register-part3"} {
		_, table, _ := strings.Cut(page, `id="`+part+`"`)
		table, _, _ = strings.Cut(table, "</table>")
		if !strings.Contains(table, `colspan="10">`) || !strings.Contains(table, "zinātņu nozarēm (UDK)</th>") ||
			!strings.Contains(table, `<th title="Valoda. Valodniecība. Literatūra">8</th>`) || !strings.Contains(table, `<th title="Nav klasificēti">bez UDK</th>`) {
			t.Errorf("%s has no UDC columns:\n%s", part, table)
		}
	}

	head, rows := c.getCSV(cl, "/staff/accounting/register/csv?year=2026")
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("register CSV has no column %q: %q", name, head)
		}
		return i
	}
	num := func(r []string, name string) int {
		n, err := strconv.Atoi(r[col(name)])
		if err != nil {
			t.Fatalf("%s = %q", name, r[col(name)])
		}
		return n
	}
	classes := []string{"udk_0", "udk_1", "udk_2", "udk_3", "udk_5", "udk_6", "udk_7", "udk_8", "udk_9", "udk_none"}
	var part1, part2 [][]string
	for _, r := range rows {
		sum := 0
		for _, k := range classes {
			sum += num(r, k)
		}
		if sum != num(r, "eksemplāri") {
			t.Errorf("part %s line %q: classes add up to %d", r[0], r, sum)
		}
		switch r[0] {
		case "1":
			part1 = append(part1, r)
		case "2":
			part2 = append(part2, r)
		}
	}
	if len(part1) != 1 || num(part1[0], "udk_8") != 3 || num(part1[0], "udk_9") != 2 || num(part1[0], "udk_none") != 1 {
		t.Errorf("part 1 %q, want 3 in class 8, 2 in 9, 1 unclassified", part1)
	}
	if len(part2) != 1 || num(part2[0], "udk_8") != 1 || num(part2[0], "udk_9") != 1 || num(part2[0], "eksemplāri") != 2 {
		t.Errorf("part 2 %q, want 1 in class 8 and 1 in 9", part2)
	}
}
