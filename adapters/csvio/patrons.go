package csvio

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
)

// Patron columns. card and home_library are required, and a name: name,
// or first_name and last_name (joined "first last").
//
//	card                reader card barcode
//	name                full name as registered
//	first_name, last_name
//	birth_date          YYYY-MM-DD or DD.MM.YYYY
//	guardian_card       card of the guardian (in the file or already in bibgate)
//	email, phone
//	home_library        bibgate library id
//	category            patron category of the rules (default adult)
//	resident            yes/no (default yes): no is reading room only
//	identity_confirmed  yes/no (default yes): no is remote services only
//	personal_code       eID personal code
//	pin                 PIN in clear: hashed with Argon2id on import
//	pin_hash            PIN hash from the old system: argon2id PHC string or
//	                    bcrypt ($2a$ as Koha writes, $2b$, $2y$); kept as it
//	                    is and verified when the patron logs in
//	language            lv, et, sl or en
//	valid_until         YYYY-MM-DD
//
// A line gives pin or pin_hash, not both. Export writes pin_hash (never a PIN).
var PatronColumns = []string{"card", "name", "first_name", "last_name", "birth_date", "guardian_card", "email", "phone",
	"home_library", "category", "resident", "identity_confirmed", "personal_code", "pin", "pin_hash", "language", "valid_until"}

// exportPatronColumns are the columns ExportPatrons writes.
var exportPatronColumns = []string{"card", "name", "birth_date", "guardian_card", "email", "phone", "home_library", "category",
	"resident", "identity_confirmed", "personal_code", "pin_hash", "language", "valid_until"}

type patronLine struct {
	line     int
	p        core.NewPatron
	guardian string
}

// ImportPatrons reads a patron CSV and creates or updates the patrons.
func ImportPatrons(ctx context.Context, svc *core.Service, r io.Reader, opts Options) (Report, error) {
	start := time.Now()
	rep := Report{DryRun: opts.DryRun}
	t, err := readTable(r, PatronColumns, "card", "home_library", "name|last_name")
	if err != nil {
		return rep, err
	}
	rep.Errors = t.errs
	rep.Lines = len(t.rows) + len(t.errs)
	now := svc.Now()
	seen := map[string]int{}
	var good []patronLine
	for _, rw := range t.rows {
		pl, e := parsePatron(svc, rw, t, now)
		if e == nil && seen[pl.p.ID] != 0 {
			e = &LineError{Line: rw.line, Column: "card", Reason: fmt.Sprintf("card %s is also on line %d", pl.p.ID, seen[pl.p.ID])}
		}
		if e != nil {
			rep.Errors = append(rep.Errors, *e)
			continue
		}
		seen[pl.p.ID] = rw.line
		good = append(good, pl)
	}
	// Guardians: a card in this file or one bibgate already has.
	var cards []string
	for _, pl := range good {
		cards = append(cards, pl.p.ID)
		if pl.guardian != "" {
			cards = append(cards, pl.guardian)
		}
	}
	stored, err := svc.PatronRecords(ctx, cards)
	if err != nil {
		return rep, err
	}
	inFile := map[string]*core.Patron{}
	for i := range good {
		inFile[good[i].p.ID] = &good[i].p.Patron
	}
	keep := good[:0]
	for _, pl := range good {
		if pl.guardian != "" {
			g, ok := inFile[pl.guardian]
			if !ok {
				if sp, found := stored[pl.guardian]; found {
					g = &sp
				}
			}
			if g == nil {
				reason := fmt.Sprintf("no patron with card %s, in this file or in bibgate", pl.guardian)
				if l := lineOf(t, pl.guardian, seen); l > 0 {
					reason = fmt.Sprintf("the guardian's line %d was not imported", l)
				}
				rep.Errors = append(rep.Errors, LineError{Line: pl.line, Column: "guardian_card", Reason: reason})
				continue
			}
			pl.p.Guardian = &core.Contact{Name: g.Name, Email: g.Email, Phone: g.Phone}
		}
		keep = append(keep, pl)
	}
	good = keep
	batch := opts.Batch
	if batch <= 0 {
		batch = 500
	}
	total := len(good)
	for i := 0; i < len(good); i += batch {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		part := good[i:min(i+batch, len(good))]
		ok := part
		if !opts.DryRun {
			ok = registerPatrons(ctx, svc, part, &rep)
		}
		for _, pl := range ok {
			if _, existed := stored[pl.p.ID]; existed {
				rep.Updated++
			} else {
				rep.Created++
			}
		}
		rep.Imported += len(ok)
		if opts.Progress != nil {
			opts.Progress(i+len(part), total)
		}
	}
	sortErrors(rep.Errors)
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// registerPatrons writes a batch in one transaction; if the core refuses
// it, each patron is tried alone so that one refusal costs one line.
func registerPatrons(ctx context.Context, svc *core.Service, part []patronLine, rep *Report) []patronLine {
	ps := make([]core.NewPatron, len(part))
	for i := range part {
		ps[i] = part[i].p
	}
	if err := svc.RegisterPatrons(ctx, ps); err == nil {
		return part
	}
	var ok []patronLine
	for _, pl := range part {
		if err := svc.RegisterPatrons(ctx, []core.NewPatron{pl.p}); err != nil {
			rep.Errors = append(rep.Errors, LineError{Line: pl.line, Reason: "not stored: " + err.Error()})
			continue
		}
		ok = append(ok, pl)
	}
	return ok
}

func lineOf(t *table, card string, seen map[string]int) int {
	if seen[card] != 0 {
		return 0
	}
	for _, rw := range t.rows {
		if rw.get("card") == card {
			return rw.line
		}
	}
	return 0
}

func parsePatron(svc *core.Service, rw row, t *table, now time.Time) (patronLine, *LineError) {
	bad := func(col, format string, args ...any) (patronLine, *LineError) {
		return patronLine{}, &LineError{Line: rw.line, Column: col, Reason: fmt.Sprintf(format, args...)}
	}
	var p core.Patron
	p.ID = rw.get("card")
	if err := validID(p.ID); err != nil {
		return bad("card", "card number %v", err)
	}
	p.Name = rw.get("name")
	if p.Name == "" {
		p.Name = strings.TrimSpace(rw.get("first_name") + " " + rw.get("last_name"))
	}
	if p.Name == "" {
		col := "name"
		if !t.has("name") {
			col = "last_name"
		}
		return bad(col, "no name")
	}
	if s := rw.get("birth_date"); s != "" {
		d, err := parseDate(s)
		if err != nil {
			return bad("birth_date", "%v", err)
		}
		if d.After(now) || d.Year() < 1880 {
			return bad("birth_date", "%s is not a plausible birth date", s)
		}
		p.BirthDate = d
	}
	if s := rw.get("email"); s != "" {
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
			return bad("email", "%q is not an e-mail address", s)
		}
		p.Email = s
	}
	if s := rw.get("phone"); s != "" {
		for _, r := range s {
			if !(r >= '0' && r <= '9' || r == '+' || r == ' ' || r == '-' || r == '(' || r == ')') {
				return bad("phone", "%q is not a phone number", s)
			}
		}
		p.Phone = s
	}
	p.HomeLibrary = rw.get("home_library")
	if _, ok := svc.Consortium().Library(p.HomeLibrary); !ok {
		return bad("home_library", "no library %q in the consortium", p.HomeLibrary)
	}
	p.Category = rw.get("category")
	if p.Category == "" {
		p.Category = "adult"
	}
	var err error
	p.Resident, p.IdentityConfirmed = true, true
	if t.has("resident") && rw.get("resident") != "" {
		if p.Resident, err = parseBool(rw.get("resident")); err != nil {
			return bad("resident", "%v", err)
		}
	}
	if t.has("identity_confirmed") && rw.get("identity_confirmed") != "" {
		if p.IdentityConfirmed, err = parseBool(rw.get("identity_confirmed")); err != nil {
			return bad("identity_confirmed", "%v", err)
		}
	}
	if s := rw.get("personal_code"); s != "" {
		digits := strings.ReplaceAll(s, "-", "")
		if !core.IsPersonalCodeHash(s) && (len(digits) < 6 || len(digits) > 13 || strings.Trim(digits, "0123456789") != "") {
			return bad("personal_code", "not a personal code (6 to 13 digits, hyphens allowed)")
		}
		p.PersonalCode = s
	}
	pin, hash := rw.get("pin"), rw.get("pin_hash")
	switch {
	case pin != "" && hash != "":
		return bad("pin", "both pin and pin_hash given: keep one")
	case pin != "":
		if len(pin) < 4 || len(pin) > 32 {
			return bad("pin", "a PIN has 4 to 32 characters") // the PIN itself is never quoted
		}
	case hash != "":
		if err := core.CheckPINHash(hash); err != nil {
			return bad("pin_hash", "%v", err)
		}
		p.PINHash = hash
	}
	if s := rw.get("language"); s != "" {
		switch s {
		case "lv", "et", "sl", "en":
		default:
			return bad("language", "%q: use lv, et, sl or en", s)
		}
		p.Language = s
	}
	if s := rw.get("valid_until"); s != "" {
		if p.ValidUntil, err = parseDate(s); err != nil {
			return bad("valid_until", "%v", err)
		}
	}
	g := rw.get("guardian_card")
	if g != "" {
		if err := validID(g); err != nil {
			return bad("guardian_card", "card number %v", err)
		}
		if g == p.ID {
			return bad("guardian_card", "a patron cannot be their own guardian")
		}
	}
	return patronLine{line: rw.line, p: core.NewPatron{Patron: p, PIN: pin}, guardian: g}, nil
}

// ExportPatrons writes every patron in the columns ImportPatrons reads
// (pin_hash, never a PIN). Guardians are written by card when the
// guardian is a patron with the same name and contact.
func ExportPatrons(ctx context.Context, svc *core.Service, w io.Writer) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(exportPatronColumns); err != nil {
		return 0, err
	}
	var all []core.Patron
	byContact := map[core.Contact]string{}
	err := svc.EachPatron(ctx, func(p core.Patron) bool {
		all = append(all, p)
		byContact[core.Contact{Name: p.Name, Email: p.Email, Phone: p.Phone}] = p.ID
		return true
	})
	if err != nil {
		return 0, err
	}
	for _, p := range all {
		g := ""
		if p.Guardian != nil {
			g = byContact[*p.Guardian]
		}
		if err := cw.Write([]string{p.ID, p.Name, formatDate(p.BirthDate), g, p.Email, p.Phone, p.HomeLibrary, p.Category,
			formatBool(p.Resident), formatBool(p.IdentityConfirmed), p.PersonalCode, p.PINHash, p.Language, formatDate(p.ValidUntil)}); err != nil {
			return 0, err
		}
	}
	cw.Flush()
	return len(all), cw.Error()
}
