// Package illstate is the ISO 10161-1 interlibrary loan state machine as
// data: the transitions of each role (requester, responder) are rows of a
// text table (table.txt) that can be corrected without touching code, and
// Table.Next looks an event up in them. It is pure: no I/O, no clock, no
// knowledge of the circulation core or of any wire format.
//
// Services are numbered like the APDUs' APPLICATION tags (ILL-Request 1 …
// Expired 20), states like ISO 10161's Current-State (NOT-SUPPLIED 1 …
// UNKNOWN 18), so that a refusal carries what a Status-Or-Error-Report
// state-transition-prohibited {APDU type, current state} needs.
package illstate

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Role is the side of a transaction a library plays.
type Role string

// Roles.
const (
	Requester Role = "requester" // borrows for its patron
	Responder Role = "responder" // lends
)

// State is a transaction's state: ISO 10161 Current-State, plus Idle before
// the first service.
type State int

// States; the numbers are Current-State's.
const (
	Idle               State = 0
	NotSupplied        State = 1
	Pending            State = 2
	InProcess          State = 3
	Forward            State = 4
	Conditional        State = 5
	CancelPending      State = 6
	Cancelled          State = 7
	Shipped            State = 8
	Received           State = 9
	RenewPending       State = 10
	NotReceivedOverdue State = 11
	RenewOverdue       State = 12
	Overdue            State = 13
	Returned           State = 14
	CheckedIn          State = 15
	Recall             State = 16
	Lost               State = 17
	Unknown            State = 18
)

var stateNames = []string{"IDLE", "NOT-SUPPLIED", "PENDING", "IN-PROCESS", "FORWARD", "CONDITIONAL",
	"CANCEL-PENDING", "CANCELLED", "SHIPPED", "RECEIVED", "RENEW-PENDING", "NOT-RECEIVED-OVERDUE",
	"RENEW-OVERDUE", "OVERDUE", "RETURNED", "CHECKED-IN", "RECALL", "LOST", "UNKNOWN"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("STATE-%d", int(s))
}

// ParseState returns the state named s (as in String).
func ParseState(s string) (State, error) {
	for i, n := range stateNames {
		if n == s {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("illstate: unknown state %q", s)
}

// Service is an ILL service; the numbers are the APDUs' APPLICATION tags.
// Forward has no APDU of its own (the intermediary sends the request on).
type Service int

// Services.
const (
	ILLRequest          Service = 1
	ForwardNotification Service = 2
	ShippedService      Service = 3
	ILLAnswer           Service = 4
	ConditionalReply    Service = 5
	Cancel              Service = 6
	CancelReply         Service = 7
	ReceivedService     Service = 8
	RecallService       Service = 9
	ReturnedService     Service = 10
	CheckedInService    Service = 11
	OverdueService      Service = 12
	Renew               Service = 13
	RenewAnswer         Service = 14
	LostService         Service = 15
	Damaged             Service = 16
	Message             Service = 17
	StatusQuery         Service = 18
	StatusOrErrorReport Service = 19
	Expired             Service = 20
	ForwardService      Service = 100
)

var serviceNames = map[Service]string{
	ILLRequest: "ILL-Request", ForwardNotification: "Forward-Notification", ShippedService: "Shipped",
	ILLAnswer: "ILL-Answer", ConditionalReply: "Conditional-Reply", Cancel: "Cancel", CancelReply: "Cancel-Reply",
	ReceivedService: "Received", RecallService: "Recall", ReturnedService: "Returned", CheckedInService: "Checked-In",
	OverdueService: "Overdue", Renew: "Renew", RenewAnswer: "Renew-Answer", LostService: "Lost", Damaged: "Damaged",
	Message: "Message", StatusQuery: "Status-Query", StatusOrErrorReport: "Status-Or-Error-Report", Expired: "Expired",
	ForwardService: "Forward",
}

func (s Service) String() string {
	if n, ok := serviceNames[s]; ok {
		return n
	}
	return fmt.Sprintf("service-%d", int(s))
}

// HasAPDU reports whether the service travels as an APDU of its own.
func (s Service) HasAPDU() bool { return s >= ILLRequest && s <= Expired }

// Services lists every service, in number order.
func Services() []Service {
	out := make([]Service, 0, len(serviceNames))
	for s := ILLRequest; s <= Expired; s++ {
		out = append(out, s)
	}
	return append(out, ForwardService)
}

// ParseService returns the service named s (as in String).
func ParseService(s string) (Service, error) {
	for k, n := range serviceNames {
		if n == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("illstate: unknown service %q", s)
}

// Direction says which way a service went, seen from this side.
type Direction string

// Directions.
const (
	Outgoing Direction = ">" // this side performed it
	Incoming Direction = "<" // the partner did (APDU arrived, or staff recorded it)
)

// Qualifiers narrow an event: the result of an ILL-Answer, or the answer of
// Conditional-Reply, Cancel-Reply and Renew-Answer.
const (
	QConditional       = "conditional"
	QRetry             = "retry"
	QUnfilled          = "unfilled"
	QLocationsProvided = "locations-provided"
	QWillSupply        = "will-supply"
	QHoldPlaced        = "hold-placed"
	QEstimate          = "estimate"
	QYes               = "yes"
	QNo                = "no"
)

// Event is one service seen from one side.
type Event struct {
	Service   Service
	Dir       Direction
	Qualifier string
}

func (e Event) String() string {
	s := string(e.Dir) + e.Service.String()
	if e.Qualifier != "" {
		s += ":" + e.Qualifier
	}
	return s
}

// Target kinds of a row.
const (
	toState = iota
	toSame
	toPrevious
)

// Row is one transition of the table.
type Row struct {
	Role      Role
	From      []State
	Service   Service
	Dir       Direction // "" matches both directions (*)
	Qualifier string    // "" matches any
	To        State
	target    int
	// LoanOnly rows apply to returnable services only.
	LoanOnly  bool
	Uncertain bool
	Crossing  bool
	Line      int
}

// Result is where an event takes a transaction.
type Result struct {
	To State
	// Row is the row that allowed it.
	Row Row
}

// Table is a parsed state table.
type Table struct {
	rows []Row
}

//go:embed table.txt
var defaultText string

var defaultTable = sync.OnceValue(func() *Table {
	t, err := Parse(defaultText)
	if err != nil {
		panic(err)
	}
	return t
})

// Default returns the table of table.txt. The table is immutable.
func Default() *Table { return defaultTable() }

// Rows returns a copy of the table's rows.
func (t *Table) Rows() []Row { return append([]Row(nil), t.rows...) }

// TransitionError is a legal service the table forbids in the current
// state: Status-Or-Error-Report state-transition-prohibited.
type TransitionError struct {
	Role  Role
	State State
	Event Event
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("illstate: %s in state %s: %s prohibited", e.Role, e.State, e.Event)
}

// ErrTransitionProhibited matches every *TransitionError with errors.Is.
var ErrTransitionProhibited = errors.New("illstate: state transition prohibited")

// Is makes errors.Is(err, ErrTransitionProhibited) true.
func (e *TransitionError) Is(target error) bool { return target == ErrTransitionProhibited }

// Next returns where ev takes a transaction of role in state cur, given
// the state before the pending one (prev) and whether the service is
// returnable (loan). The first matching row wins. An event no row allows
// is a *TransitionError.
func (t *Table) Next(role Role, cur, prev State, loan bool, ev Event) (Result, error) {
	for _, r := range t.rows {
		if r.Role != role || r.Service != ev.Service || (r.Dir != "" && r.Dir != ev.Dir) ||
			(r.Qualifier != "" && r.Qualifier != ev.Qualifier) || (r.LoanOnly && !loan) || !contains(r.From, cur) {
			continue
		}
		switch r.target {
		case toSame:
			return Result{To: cur, Row: r}, nil
		case toPrevious:
			return Result{To: prev, Row: r}, nil
		}
		return Result{To: r.To, Row: r}, nil
	}
	return Result{}, &TransitionError{Role: role, State: cur, Event: ev}
}

func contains(states []State, s State) bool {
	for _, x := range states {
		if x == s {
			return true
		}
	}
	return false
}

// Final reports whether no service can move a transaction of role out of
// state s (only the "unchanged" services remain).
func (t *Table) Final(role Role, s State, loan bool) bool {
	for _, r := range t.rows {
		if r.Role == role && (!r.LoanOnly || loan) && contains(r.From, s) && r.target != toSame {
			return false
		}
	}
	return true
}

// Parse reads a table in the format of table.txt.
func Parse(text string) (*Table, error) {
	sets := map[string][]State{}
	var t Table
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "@") {
			name, list, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("illstate: line %d: set without '='", n)
			}
			states, err := parseStates(list, sets)
			if err != nil {
				return nil, fmt.Errorf("illstate: line %d: %w", n, err)
			}
			sets[strings.TrimSpace(name)] = states
			continue
		}
		cols := strings.Split(line, "|")
		if len(cols) != 5 {
			return nil, fmt.Errorf("illstate: line %d: want 5 columns separated by '|', have %d", n, len(cols))
		}
		for j := range cols {
			cols[j] = strings.TrimSpace(cols[j])
		}
		r := Row{Role: Role(cols[0]), Line: n}
		if r.Role != Requester && r.Role != Responder {
			return nil, fmt.Errorf("illstate: line %d: unknown role %q", n, cols[0])
		}
		var err error
		if r.From, err = parseStates(cols[1], sets); err != nil {
			return nil, fmt.Errorf("illstate: line %d: %w", n, err)
		}
		ev := cols[2]
		if ev == "" {
			return nil, fmt.Errorf("illstate: line %d: no event", n)
		}
		switch ev[0] {
		case '>':
			r.Dir = Outgoing
		case '<':
			r.Dir = Incoming
		case '*':
		default:
			return nil, fmt.Errorf("illstate: line %d: event %q must start with >, < or *", n, ev)
		}
		name, qual, _ := strings.Cut(ev[1:], ":")
		if r.Service, err = ParseService(name); err != nil {
			return nil, fmt.Errorf("illstate: line %d: %w", n, err)
		}
		r.Qualifier = qual
		switch cols[3] {
		case "=":
			r.target = toSame
		case "PREVIOUS":
			r.target = toPrevious
		default:
			if r.To, err = ParseState(cols[3]); err != nil {
				return nil, fmt.Errorf("illstate: line %d: %w", n, err)
			}
		}
		for _, f := range strings.Split(cols[4], ",") {
			switch strings.TrimSpace(f) {
			case "":
			case "loan":
				r.LoanOnly = true
			case "uncertain":
				r.Uncertain = true
			case "crossing":
				r.Crossing = true
			default:
				return nil, fmt.Errorf("illstate: line %d: unknown flag %q", n, f)
			}
		}
		t.rows = append(t.rows, r)
	}
	if len(t.rows) == 0 {
		return nil, errors.New("illstate: empty table")
	}
	return &t, nil
}

func parseStates(list string, sets map[string][]State) ([]State, error) {
	var out []State
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if strings.HasPrefix(name, "@") {
			s, ok := sets[name]
			if !ok {
				return nil, fmt.Errorf("unknown set %s", name)
			}
			out = append(out, s...)
			continue
		}
		s, err := ParseState(name)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
