package staffweb

import (
	"net/http"
	"strings"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/policy"
)

// registerForm is the registration form as typed.
type registerForm struct {
	Card, Name, Email, Phone, Category, Library, Birth, Language string
	Resident, Identity                                           bool
	GuardianName, GuardianEmail, GuardianPhone                   string
}

type registerData struct {
	Form       registerForm
	Libraries  []core.Library
	Categories []string
	Error      string
}

var categories = []string{"adult", "child", "student", "senior", "staff"}

func (s *Server) registerPage(q *request) error {
	if err := core.Permit(q.staff, core.ActPatronEdit, q.staff.Library); err != nil {
		return err
	}
	s.render(q, http.StatusOK, "register", "", registerData{
		Form:      registerForm{Library: q.staff.Library, Category: "adult", Language: q.lang, Resident: true, Identity: true},
		Libraries: s.svc.Consortium().Libraries, Categories: categories})
	return nil
}

// register registers a patron at the desk (core.RegisterPatron: the staff
// member must be allowed to edit patrons of the chosen home library, an
// existing card is never overwritten, and the registration is audited). A
// patron younger than the rules' minor age needs a guardian with an e-mail
// address or a phone number, who gets the notices; the form says so before
// the core is asked.
func (s *Server) register(q *request) error {
	pf := q.r.PostForm
	f := registerForm{
		Card: strings.TrimSpace(pf.Get("card")), Name: strings.TrimSpace(pf.Get("name")), Email: strings.TrimSpace(pf.Get("email")),
		Phone: strings.TrimSpace(pf.Get("phone")), Category: strings.TrimSpace(pf.Get("category")), Library: pf.Get("library"),
		Birth: strings.TrimSpace(pf.Get("birth")), Language: pf.Get("language"), Resident: pf.Get("resident") != "",
		Identity: pf.Get("identity") != "", GuardianName: strings.TrimSpace(pf.Get("guardian_name")),
		GuardianEmail: strings.TrimSpace(pf.Get("guardian_email")), GuardianPhone: strings.TrimSpace(pf.Get("guardian_phone")),
	}
	pin := pf.Get("pin")
	again := func(key string) error {
		s.render(q, http.StatusUnprocessableEntity, "register", "", registerData{Form: f, Libraries: s.svc.Consortium().Libraries,
			Categories: categories, Error: tr(q.lang, key)})
		return nil
	}
	if err := core.Permit(q.staff, core.ActPatronEdit, f.Library); err != nil {
		return err
	}
	if _, ok := s.svc.Consortium().Library(f.Library); !ok {
		return again("reg_incomplete")
	}
	if f.Card == "" || f.Name == "" || len(pin) < 4 || strings.ContainsAny(f.Card, " /\t") {
		return again("reg_incomplete")
	}
	if f.Category == "" {
		f.Category = "adult"
	}
	if !known(f.Language) {
		f.Language = defaultLang
	}
	var birth time.Time
	if f.Birth != "" {
		b, err := time.Parse("2006-01-02", f.Birth)
		if err != nil {
			return again("reg_bad_date")
		}
		birth = b
	}
	var guardian *core.Contact
	if f.GuardianName != "" || f.GuardianEmail != "" || f.GuardianPhone != "" {
		guardian = &core.Contact{Name: f.GuardianName, Email: f.GuardianEmail, Phone: f.GuardianPhone}
	}
	rules := s.svc.Consortium().Rules.Resolve(f.Library, f.Category, "")
	if !birth.IsZero() && policy.IsMinor(rules, birth, s.svc.Now()) &&
		(guardian == nil || guardian.Name == "" || guardian.Email == "" && guardian.Phone == "") {
		return again("reg_minor_guardian")
	}
	p := core.Patron{ID: f.Card, Name: f.Name, Email: f.Email, Phone: f.Phone, Category: f.Category, HomeLibrary: f.Library,
		BirthDate: birth, Guardian: guardian, Resident: f.Resident, Language: f.Language}
	if _, err := s.svc.RegisterPatron(q.ctx(), q.actor(), core.DeskRegistration{Patron: p, PIN: pin, RemoteOnly: !f.Identity}); err != nil {
		switch core.ReasonOf(err) {
		case core.ReasonPatronExists:
			return again("reg_exists")
		case core.ReasonBadRequest:
			return again("reg_incomplete")
		}
		return err
	}
	return s.done(q, patronPath(f.Card), "ok_registered")
}
