package illstate_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core/illstate"
)

// qualifiers each service can carry in an event.
func qualifiers(s illstate.Service) []string {
	switch s {
	case illstate.ILLAnswer:
		return []string{illstate.QConditional, illstate.QRetry, illstate.QUnfilled, illstate.QLocationsProvided,
			illstate.QWillSupply, illstate.QHoldPlaced, illstate.QEstimate}
	case illstate.ConditionalReply, illstate.CancelReply, illstate.RenewAnswer:
		return []string{illstate.QYes, illstate.QNo}
	}
	return []string{""}
}

// allEvents is every event either side can see.
func allEvents() []illstate.Event {
	var out []illstate.Event
	for _, s := range illstate.Services() {
		for _, d := range []illstate.Direction{illstate.Outgoing, illstate.Incoming} {
			for _, q := range qualifiers(s) {
				out = append(out, illstate.Event{Service: s, Dir: d, Qualifier: q})
			}
		}
	}
	return out
}

// TestWalkEveryTransition explores each role's machine from IDLE with
// every event, for loans and for copies. Every row of the table must be
// taken somewhere in the walk (no dead rows), and every event no row
// allows must be refused with the error that becomes Status-Or-Error-Report
// state-transition-prohibited, naming the APDU type and the current state.
func TestWalkEveryTransition(t *testing.T) {
	tab := illstate.Default()
	used := map[int]bool{}
	for _, role := range []illstate.Role{illstate.Requester, illstate.Responder} {
		for _, loan := range []bool{true, false} {
			type node struct{ cur, prev illstate.State }
			seen := map[node]bool{{illstate.Idle, illstate.Idle}: true}
			queue := []node{{illstate.Idle, illstate.Idle}}
			legal, refused := 0, 0
			for len(queue) > 0 {
				n := queue[0]
				queue = queue[1:]
				for _, ev := range allEvents() {
					res, err := tab.Next(role, n.cur, n.prev, loan, ev)
					if err != nil {
						var te *illstate.TransitionError
						if !errors.As(err, &te) || !errors.Is(err, illstate.ErrTransitionProhibited) {
							t.Fatalf("%s %s %s: error %v is not a transition error", role, n.cur, ev, err)
						}
						if te.State != n.cur || te.Event != ev || te.Role != role {
							t.Fatalf("%s %s %s: error names %s %s %s", role, n.cur, ev, te.Role, te.State, te.Event)
						}
						refused++
						continue
					}
					legal++
					used[res.Row.Line] = true
					if res.Row.LoanOnly && !loan {
						t.Errorf("line %d: a loan-only row applied to a copy", res.Row.Line)
					}
					next := node{res.To, n.prev}
					if res.To == illstate.CancelPending || res.To == illstate.RenewPending || res.To == illstate.RenewOverdue {
						if res.To != n.cur {
							next.prev = n.cur
						}
					}
					if res.To == illstate.Idle {
						t.Errorf("%s %s %s: back to IDLE", role, n.cur, ev)
					}
					if !seen[next] {
						seen[next] = true
						queue = append(queue, next)
					}
				}
			}
			t.Logf("%s loan=%v: %d states reached, %d legal and %d prohibited (state, event) pairs", role, loan, len(seen), legal, refused)
		}
	}
	for _, r := range tab.Rows() {
		if !used[r.Line] {
			t.Errorf("table.txt line %d (%s %v %s%s) is never reachable from IDLE", r.Line, r.Role, r.From, r.Dir, r.Service)
		}
	}
}

type step struct {
	ev   string
	want illstate.State
}

func ev(t *testing.T, s string) illstate.Event {
	t.Helper()
	e := illstate.Event{Dir: illstate.Direction(s[:1])}
	name, q, _ := strings.Cut(s[1:], ":")
	svc, err := illstate.ParseService(name)
	if err != nil {
		t.Fatal(err)
	}
	e.Service, e.Qualifier = svc, q
	return e
}

// TestLifecycles walks the lifecycles the libraries run (ill.md §1.7, §6)
// and checks each state on the way, independently of how the table is
// written.
func TestLifecycles(t *testing.T) {
	R, S := illstate.Requester, illstate.Responder
	tests := []struct {
		name  string
		role  illstate.Role
		loan  bool
		steps []step
	}{
		{"requester loan with a queue at the supplier", R, true, []step{
			{">ILL-Request", illstate.Pending}, {"<ILL-Answer:hold-placed", illstate.Pending},
			{"<ILL-Answer:will-supply", illstate.Pending}, {"<Shipped", illstate.Shipped}, {">Received", illstate.Received},
			{">Renew", illstate.RenewPending}, {"<Renew-Answer:yes", illstate.Received}, {"<Overdue", illstate.Overdue},
			{">Returned", illstate.Returned}, {"<Checked-In", illstate.CheckedIn}}},
		{"responder loan", S, true, []step{
			{"<ILL-Request", illstate.InProcess}, {">ILL-Answer:will-supply", illstate.InProcess}, {">Shipped", illstate.Shipped},
			{"<Received", illstate.Received}, {"<Renew", illstate.RenewPending}, {">Renew-Answer:no", illstate.Received},
			{">Overdue", illstate.Overdue}, {"<Renew", illstate.RenewOverdue}, {">Renew-Answer:no", illstate.Overdue},
			{"<Returned", illstate.Returned}, {">Checked-In", illstate.CheckedIn}}},
		{"responder not owned", S, true, []step{{"<ILL-Request", illstate.InProcess}, {">ILL-Answer:unfilled", illstate.NotSupplied}}},
		{"requester retry", R, true, []step{{">ILL-Request", illstate.Pending}, {"<ILL-Answer:retry", illstate.NotSupplied}}},
		{"requester conditional accepted", R, true, []step{{">ILL-Request", illstate.Pending},
			{"<ILL-Answer:conditional", illstate.Conditional}, {">Conditional-Reply:yes", illstate.Pending}}},
		{"cancel refused goes back to where it was", R, true, []step{{">ILL-Request", illstate.Pending},
			{"<ILL-Answer:conditional", illstate.Conditional}, {">Cancel", illstate.CancelPending}, {"<Cancel-Reply:no", illstate.Conditional}}},
		{"cancel accepted", S, true, []step{{"<ILL-Request", illstate.InProcess}, {"<Cancel", illstate.CancelPending},
			{">Cancel-Reply:yes", illstate.Cancelled}}},
		{"cancel crosses Shipped", R, true, []step{{">ILL-Request", illstate.Pending}, {">Cancel", illstate.CancelPending},
			{"<Shipped", illstate.Shipped}, {"<Cancel-Reply:no", illstate.Shipped}, {">Received", illstate.Received}}},
		{"responder gets a Cancel after shipping", S, true, []step{{"<ILL-Request", illstate.InProcess}, {">Shipped", illstate.Shipped},
			{"<Cancel", illstate.Shipped}, {">Cancel-Reply:no", illstate.Shipped}}},
		{"responder refuses a cancel, then ships", S, true, []step{{"<ILL-Request", illstate.InProcess}, {"<Cancel", illstate.CancelPending},
			{">Cancel-Reply:no", illstate.InProcess}, {">Shipped", illstate.Shipped}}},
		{"requester: cancel refused, then Shipped", R, true, []step{{">ILL-Request", illstate.Pending}, {">Cancel", illstate.CancelPending},
			{"<Cancel-Reply:no", illstate.Pending}, {"<Shipped", illstate.Shipped}, {">Received", illstate.Received},
			{">Returned", illstate.Returned}}},
		{"cancelled partner ships anyway: the item goes back", R, true, []step{{">ILL-Request", illstate.Pending},
			{">Cancel", illstate.CancelPending}, {"<Shipped", illstate.Shipped}, {"<Cancel-Reply:no", illstate.Shipped},
			{">Received", illstate.Received}, {">Returned", illstate.Returned}, {"<Checked-In", illstate.CheckedIn}}},
		{"copy", R, false, []step{{">ILL-Request", illstate.Pending}, {"<Shipped", illstate.Shipped}, {">Received", illstate.Received},
			{"*Message", illstate.Received}}},
		{"lost in the post", S, true, []step{{"<ILL-Request", illstate.InProcess}, {">Shipped", illstate.Shipped}, {"<Lost", illstate.Lost}}},
		{"messages change nothing", S, true, []step{{"<ILL-Request", illstate.InProcess}, {"<Message", illstate.InProcess},
			{"<Status-Query", illstate.InProcess}, {">Status-Or-Error-Report", illstate.InProcess}}},
	}
	tab := illstate.Default()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur, prev := illstate.Idle, illstate.Idle
			for _, st := range tc.steps {
				e := ev(t, st.ev)
				if e.Dir == "*" {
					e.Dir = illstate.Incoming
				}
				res, err := tab.Next(tc.role, cur, prev, tc.loan, e)
				if err != nil {
					t.Fatalf("%s in %s: %v", st.ev, cur, err)
				}
				if res.To != st.want {
					t.Fatalf("%s in %s: to %s, want %s", st.ev, cur, res.To, st.want)
				}
				if (res.To == illstate.CancelPending || res.To == illstate.RenewPending || res.To == illstate.RenewOverdue) && res.To != cur {
					prev = cur
				}
				cur = res.To
			}
		})
	}
}

// TestProhibited: services out of turn are refused with the APDU type and
// the current state, as Status-Or-Error-Report state-transition-prohibited
// reports them.
func TestProhibited(t *testing.T) {
	R, S := illstate.Requester, illstate.Responder
	tests := []struct {
		role     illstate.Role
		state    illstate.State
		loan     bool
		event    string
		wantAPDU int
	}{
		{S, illstate.Idle, true, "<Shipped", 3},
		{S, illstate.Idle, true, "<Renew", 13},
		{R, illstate.Received, true, ">ILL-Request", 1},
		{R, illstate.Received, false, ">Returned", 10}, // a copy is not returned
		{R, illstate.Received, false, ">Renew", 13},
		{S, illstate.CheckedIn, true, "<Renew", 13},
		{S, illstate.InProcess, true, "<Received", 8},
		{S, illstate.Shipped, true, ">ILL-Answer:will-supply", 4},
		{R, illstate.Pending, true, ">Returned", 10},
		{R, illstate.Cancelled, true, "<Shipped", 3},
		{S, illstate.NotSupplied, true, ">Shipped", 3},
		{S, illstate.CancelPending, true, ">Shipped", 3}, // the Cancel is answered first
		{S, illstate.CancelPending, false, ">Shipped", 3},
		{R, illstate.Idle, true, "<Message", 17},
	}
	for _, tc := range tests {
		_, err := illstate.Default().Next(tc.role, tc.state, illstate.Idle, tc.loan, ev(t, tc.event))
		var te *illstate.TransitionError
		if !errors.As(err, &te) {
			t.Errorf("%s %s %s: got %v, want a transition error", tc.role, tc.state, tc.event, err)
			continue
		}
		if int(te.Event.Service) != tc.wantAPDU || te.State != tc.state {
			t.Errorf("%s %s %s: reports APDU %d state %d", tc.role, tc.state, tc.event, te.Event.Service, te.State)
		}
	}
}

func TestFinal(t *testing.T) {
	tab := illstate.Default()
	tests := []struct {
		role  illstate.Role
		state illstate.State
		loan  bool
		want  bool
	}{
		{illstate.Requester, illstate.Received, false, true}, // final for copies
		{illstate.Requester, illstate.Received, true, false},
		{illstate.Responder, illstate.Shipped, false, true}, // final for copies
		{illstate.Responder, illstate.CheckedIn, true, true},
		{illstate.Responder, illstate.Forward, true, true},
		{illstate.Requester, illstate.NotSupplied, true, true},
		{illstate.Requester, illstate.Pending, true, false},
	}
	for _, tc := range tests {
		if got := tab.Final(tc.role, tc.state, tc.loan); got != tc.want {
			t.Errorf("Final(%s, %s, loan=%v) = %v", tc.role, tc.state, tc.loan, got)
		}
	}
}

// TestParseErrors: a corrected table with a mistake is refused with its
// line number, never half-loaded.
func TestParseErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"requester | IDLE | >ILL-Request | PENDING", "line 1: want 5 columns"},
		{"lender | IDLE | >ILL-Request | PENDING |", "unknown role"},
		{"requester | IDEL | >ILL-Request | PENDING |", `unknown state "IDEL"`},
		{"requester | IDLE | ILL-Request | PENDING |", "must start with"},
		{"requester | IDLE | >ILL-Reqest | PENDING |", "unknown service"},
		{"requester | IDLE | >ILL-Request | PENDING | lone", "unknown flag"},
		{"requester | @nope | >ILL-Request | PENDING |", "unknown set @nope"},
		{"# nothing\n", "empty table"},
	}
	for _, tc := range tests {
		_, err := illstate.Parse(tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %q", tc.text, err, tc.want)
		}
	}
}
