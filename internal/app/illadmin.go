package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/bibgate/bibgate/adapters/staffapi"
	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/ill/partners"
)

// ILLRequestBody is what POST /ill/requests takes: a request for one of
// our patrons, sent to a partner.
type ILLRequestBody struct {
	Patron  string              `json:"patron"`
	Partner string              `json:"partner"`
	Service core.ILLServiceType `json:"service,omitempty"`
	Item    core.ILLItem        `json:"item"`
	Pickup  string              `json:"pickup,omitempty"`
	Note    string              `json:"note,omitempty"`
	// Rota: partners to ask one after the other until one supplies; the
	// first is the partner (which may then be left out).
	Rota []string `json:"rota,omitempty"`
}

// ILLActionBody is what POST /ill/transactions/{id}/{action} takes.
type ILLActionBody struct {
	Note string `json:"note,omitempty"`
	Item string `json:"item,omitempty"` // the barcode scanned (ship)
	Date string `json:"date,omitempty"` // YYYY-MM-DD (renew: the date wished)
}

// illRoutes are the interlibrary loan desk on the admin listener, behind
// the admin token: list and show transactions, file a request for a
// patron, and the staff actions (core.ILLStaffActionNames). What an action
// sends the partner is delivered at once (the outbox is woken). Refusals
// are 409 (the state does not allow it) or 400, with the core's reason.
func (a *App) illRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /ill/transactions", func(w http.ResponseWriter, r *http.Request) {
		xs, err := a.svc.ILLList(r.Context())
		a.illAnswer(w, xs, err)
	})
	mux.HandleFunc("GET /ill/transactions/{id}", func(w http.ResponseWriter, r *http.Request) {
		x, err := a.svc.ILLGet(r.Context(), core.ILLRef{ID: r.PathValue("id")})
		a.illAnswer(w, x, err)
	})
	mux.HandleFunc("POST /ill/requests", func(w http.ResponseWriter, r *http.Request) {
		var b ILLRequestBody
		if err := decodeJSON(r, &b); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		x, err := a.svc.OperatorILLRequest(r.Context(), a.illOperator(r), core.ILLNewRequest{PatronID: b.Patron, Partner: b.Partner, Service: b.Service,
			Item: b.Item, PickupLibrary: b.Pickup, Note: b.Note, Rota: b.Rota})
		if err == nil {
			a.log.Info().Str("transaction", x.ID).Str("partner", x.Partner).Msg("ill: request filed by staff")
			a.kickOutbox()
		}
		a.illAnswer(w, x, err)
	})
	mux.HandleFunc("POST /ill/transactions/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
		var b ILLActionBody
		if r.ContentLength != 0 {
			if err := decodeJSON(r, &b); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		var date time.Time
		if b.Date != "" {
			d, err := time.Parse(time.DateOnly, b.Date)
			if err != nil {
				http.Error(w, fmt.Sprintf("date %q: use YYYY-MM-DD", b.Date), http.StatusBadRequest)
				return
			}
			date = d
		}
		x, err := a.svc.OperatorILLAction(r.Context(), a.illOperator(r), r.PathValue("id"), r.PathValue("action"),
			core.ILLDeskAction{Note: b.Note, ItemID: b.Item, Date: date})
		if err == nil {
			a.log.Info().Str("transaction", x.ID).Str("action", r.PathValue("action")).Str("state", x.State.String()).Msg("ill: staff action")
			a.kickOutbox()
		}
		a.illAnswer(w, x, err)
	})
}

// illOperator is who the audit log says filed a request or acted through
// the admin API: the admin token, or the administrator whose session let
// the request through (requireToken), from the client's address.
func (a *App) illOperator(r *http.Request) string {
	from := r.RemoteAddr
	if host, _, err := net.SplitHostPort(from); err == nil {
		from = host
	}
	if ck, err := r.Cookie(staffapi.CookieName); err == nil && ck.Value != "" && a.adminSession(r) {
		if _, st, err := a.svc.StaffSession(r.Context(), ck.Value); err == nil {
			return "admin-session " + st.ID + " " + from
		}
	}
	return core.OperatorAdminToken + " " + from
}

func (a *App) kickOutbox() {
	if a.outbox != nil {
		a.outbox.Kick()
	}
}

// decodeJSON reads a small JSON body, refusing unknown fields.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request body: %w", err)
	}
	return nil
}

// illAnswer writes v as JSON, or the refusal: 404 for an unknown
// transaction, 409 for what the state does not allow, 400 for the rest
// of the core's refusals.
func (a *App) illAnswer(w http.ResponseWriter, v any, err error) {
	if err != nil {
		code := http.StatusInternalServerError
		switch core.ReasonOf(err) {
		case "":
			a.log.Error().Err(err).Msg("ill admin")
		case core.ReasonILLUnknownTransaction:
			code = http.StatusNotFound
		case core.ReasonILLTransitionProhibited:
			code = http.StatusConflict
		default:
			code = http.StatusBadRequest
		}
		var ce *core.Error
		msg := err.Error()
		if errors.As(err, &ce) && ce.Detail != "" {
			msg = string(ce.Reason) + ": " + ce.Detail
		}
		http.Error(w, msg, code)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// FindQueryValues writes a partner catalogue query as the parameters of
// GET /ill/find.
func FindQueryValues(q partners.Query) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"isbn": q.ISBN, "issn": q.ISSN, "local": q.LocalNumber, "title": q.Title, "author": q.Author} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// illFindRoute is GET /ill/find?isbn=|issn=|local=|title=&author=
// [&timeout=2s]: who holds it in the partners' catalogues, ranked.
func (a *App) illFindRoute(mux *http.ServeMux) {
	mux.HandleFunc("GET /ill/find", func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Query()
		q := partners.Query{ISBN: p.Get("isbn"), ISSN: p.Get("issn"), LocalNumber: p.Get("local"), Title: p.Get("title"), Author: p.Get("author")}
		if err := q.Validate(); err != nil {
			http.Error(w, "give isbn, issn, local, or title (and author)", http.StatusBadRequest)
			return
		}
		f := a.cfg.PartnerFinder()
		if len(f.Targets) == 0 {
			http.Error(w, "no [[ill.partner]] has a catalogue", http.StatusNotFound)
			return
		}
		if t := p.Get("timeout"); t != "" {
			d, err := time.ParseDuration(t)
			if err != nil || d <= 0 || d > time.Minute {
				http.Error(w, fmt.Sprintf("timeout %q: a duration up to 1m, e.g. 2s", t), http.StatusBadRequest)
				return
			}
			f.Timeout = d
		}
		res, err := f.Find(r.Context(), q)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(res)
	})
}
