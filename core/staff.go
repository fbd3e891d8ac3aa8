package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Staff accounts, their sessions and what each role may do.
//
// A staff member belongs to one library of the consortium and has roles.
// Passwords are hashed with the same Argon2id KDF as patrons' PINs and
// checked through the same bounded KDF limiter. Failed sign-ins are counted
// in the staff record itself, so that every process sharing a store sees the
// same count and lockout. A session is a random token the browser keeps in
// a cookie; the store keeps only its SHA-256, so a copy of the store signs
// nobody in.

const (
	bStaff        = "staff"         // staff id -> Staff
	bStaffSession = "staff_session" // sha256(token) hex -> Session
)

// Role is what a staff member is employed to do.
type Role string

// Roles.
const (
	RoleCirculation     Role = "circulation"      // the desk: loans, returns, patrons, fees, holds
	RoleCataloguing     Role = "cataloguing"      // copies and their accounting records
	RoleILL             Role = "ill"              // interlibrary loan
	RoleAdmin           Role = "admin"            // everything at their library, the audit log, staff accounts
	RoleConsortiumAdmin Role = "consortium-admin" // everything at every library of the consortium
)

// Roles lists every role, in the order they are documented.
var Roles = []Role{RoleCirculation, RoleCataloguing, RoleILL, RoleAdmin, RoleConsortiumAdmin}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == strings.TrimSpace(s) {
			return r, nil
		}
	}
	return "", refuse(ReasonBadRequest, "unknown role %q (known: circulation, cataloguing, ill, admin, consortium-admin)", s)
}

// Reasons for staff refusals.
const (
	ReasonStaffNotFound  Reason = "staff_not_found"
	ReasonStaffExists    Reason = "staff_exists"
	ReasonBadCredentials Reason = "invalid_credentials" // unknown account or wrong password: the same answer
	ReasonStaffLocked    Reason = "staff_locked"        // too many wrong passwords
	ReasonNoSession      Reason = "session_invalid"     // unknown, signed out or idle too long
	ReasonForbidden      Reason = "forbidden"           // the role or library does not allow it
	ReasonWeakPassword   Reason = "password_too_short"
)

// MinPasswordLength is the shortest staff password accepted (NIST SP
// 800-63B's minimum for a memorised secret).
const MinPasswordLength = 8

// Staff is a staff account. ID is the sign-in name.
type Staff struct {
	ID      string `json:"id"`
	Library string `json:"library"`
	Name    string `json:"name"`
	Roles   []Role `json:"roles"`
	// PasswordHash is the Argon2id hash of the password (HashPIN); never
	// the password. Staff values handed out by the core have it empty.
	PasswordHash string    `json:"password_hash,omitempty"`
	Disabled     bool      `json:"disabled,omitempty"`
	Created      time.Time `json:"created"`
	// Failures counts wrong passwords in a row; LockedUntil is set when
	// they reach the limit.
	Failures    int       `json:"failures,omitempty"`
	LastFailure time.Time `json:"last_failure,omitzero"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	LastLogin   time.Time `json:"last_login,omitzero"`
}

// Has reports whether the staff member has role r.
func (st *Staff) Has(r Role) bool { return slices.Contains(st.Roles, r) }

// public is st as the core hands it out: without the password hash.
func (st Staff) public() Staff {
	st.PasswordHash = ""
	st.Roles = slices.Clone(st.Roles)
	return st
}

// StaffSettings configure sign-in throttling and sessions.
type StaffSettings struct {
	// LockAfter wrong passwords in a row (each within LockWindow of the
	// previous) lock the account for Lockout. Defaults: 10, 1 hour, 15
	// minutes.
	LockAfter  int
	LockWindow time.Duration
	Lockout    time.Duration
	// IdleTimeout ends a session not used for that long (default 30
	// minutes); MaxSession ends any session that old (default 12 hours).
	IdleTimeout time.Duration
	MaxSession  time.Duration
}

// DefaultStaffSettings are the defaults of StaffSettings.
var DefaultStaffSettings = StaffSettings{LockAfter: 10, LockWindow: time.Hour, Lockout: 15 * time.Minute,
	IdleTimeout: 30 * time.Minute, MaxSession: 12 * time.Hour}

func (c StaffSettings) withDefaults() StaffSettings {
	d := DefaultStaffSettings
	if c.LockAfter > 0 {
		d.LockAfter = c.LockAfter
	}
	if c.LockWindow > 0 {
		d.LockWindow = c.LockWindow
	}
	if c.Lockout > 0 {
		d.Lockout = c.Lockout
	}
	if c.IdleTimeout > 0 {
		d.IdleTimeout = c.IdleTimeout
	}
	if c.MaxSession > 0 {
		d.MaxSession = c.MaxSession
	}
	return d
}

// NewStaff is a staff account to create; Password is hashed before it is
// stored.
type NewStaff struct {
	ID       string
	Library  string
	Name     string
	Roles    []Role
	Password string
}

func validStaffID(id string) error {
	if id == "" || len(id) > 64 || !utf8.ValidString(id) || strings.ContainsAny(id, "/ \t\r\n") {
		return refuse(ReasonBadRequest, "a staff id is 1 to 64 characters without spaces or slashes")
	}
	return nil
}

func checkPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return refuse(ReasonWeakPassword, "a staff password has at least %d characters", MinPasswordLength)
	}
	return nil
}

// AddStaff creates a staff account. by is who does it (nil for the
// operator's command line on the server itself, which needs no session).
// The creation is audited; the password is not in the entry.
func (s *Service) AddStaff(ctx context.Context, by *Actor, n NewStaff) (out Staff, err error) {
	start := time.Now()
	defer func() { s.done("staff_add", start, err) }()
	n.ID = strings.TrimSpace(n.ID)
	if err := validStaffID(n.ID); err != nil {
		return Staff{}, err
	}
	if _, err := s.library(n.Library); err != nil {
		return Staff{}, err
	}
	if len(n.Roles) == 0 {
		return Staff{}, refuse(ReasonBadRequest, "staff %s needs at least one role", n.ID)
	}
	for _, r := range n.Roles {
		if _, err := ParseRole(string(r)); err != nil {
			return Staff{}, err
		}
	}
	if err := checkPassword(n.Password); err != nil {
		return Staff{}, err
	}
	hash, err := HashPIN(n.Password, s.kdf)
	if err != nil {
		return Staff{}, err
	}
	roles := slices.Clone(n.Roles)
	slices.Sort(roles)
	roles = slices.Compact(roles)
	err = s.update(ctx, func(t tx) error {
		a, err := s.actorIn(t, by)
		if err != nil {
			return err
		}
		if by != nil {
			if err := Permit(a.Staff, ActStaffAdmin, n.Library); err != nil {
				return err
			}
			if slices.Contains(roles, RoleConsortiumAdmin) && !a.Staff.Has(RoleConsortiumAdmin) {
				return refuse(ReasonForbidden, "only a consortium administrator appoints another")
			}
		}
		if _, ok, err := t.Get(bStaff, n.ID); err != nil || ok {
			if ok {
				return refuse(ReasonStaffExists, "staff %q exists", n.ID)
			}
			return err
		}
		st := Staff{ID: n.ID, Library: n.Library, Name: n.Name, Roles: roles, PasswordHash: hash, Created: s.clock.Now()}
		if err := t.putRecord(bStaff, st.ID, &st); err != nil {
			return err
		}
		out = st.public()
		return s.audit(t, a, "staff_add", "staff/"+st.ID, st.Library, nil, out)
	})
	return out, err
}

// SetStaffPassword sets a staff member's password: their own (by is
// themselves), or anyone's at their library for an administrator, or from
// the operator's command line (by nil). It ends the member's sessions and
// lifts a lockout.
func (s *Service) SetStaffPassword(ctx context.Context, by *Actor, id, password string) (err error) {
	start := time.Now()
	defer func() { s.done("staff_passwd", start, err) }()
	if err := checkPassword(password); err != nil {
		return err
	}
	hash, err := HashPIN(password, s.kdf)
	if err != nil {
		return err
	}
	return s.update(ctx, func(t tx) error {
		a, err := s.actorIn(t, by)
		if err != nil {
			return err
		}
		st, err := t.staff(id)
		if err != nil {
			return err
		}
		if by != nil && a.Staff.ID != st.ID {
			if err := Permit(a.Staff, ActStaffAdmin, st.Library); err != nil {
				return err
			}
		}
		st.PasswordHash, st.Failures, st.LockedUntil = hash, 0, time.Time{}
		if err := t.putRecord(bStaff, st.ID, st); err != nil {
			return err
		}
		if err := t.endSessionsOf(st.ID); err != nil {
			return err
		}
		// Neither the old nor the new hash goes into the log.
		return s.audit(t, a, "staff_password", "staff/"+st.ID, st.Library, nil, nil)
	})
}

// ListStaff lists the staff accounts, by id. by nil is the operator's
// command line; otherwise an administrator sees their library's staff and
// a consortium administrator everyone.
func (s *Service) ListStaff(ctx context.Context, by *Actor) (out []Staff, err error) {
	err = s.view(ctx, func(t tx) error {
		out = out[:0]
		a, err := s.actorIn(t, by)
		if err != nil {
			return err
		}
		if by != nil {
			if err := Permit(a.Staff, ActStaffAdmin, a.Staff.Library); err != nil {
				return err
			}
		}
		return t.Scan(bStaff, "", func(_ string, v []byte) error {
			var st Staff
			if err := decode(v, &st); err != nil {
				return err
			}
			if by == nil || Permit(a.Staff, ActStaffAdmin, st.Library) == nil {
				out = append(out, st.public())
			}
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, err
}

func (t tx) staff(id string) (*Staff, error) {
	var st Staff
	ok, err := t.getRecord(bStaff, id, &st)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refuse(ReasonStaffNotFound, "no staff %q", id)
	}
	return &st, nil
}

// Session is a signed-in staff member's session. The token itself is
// given once, at sign-in, and never stored.
type Session struct {
	// ID is the hex SHA-256 of the token: it names the session in the
	// store and in the audit log without being usable to sign in.
	ID      string `json:"id"`
	StaffID string `json:"staff_id"`
	// CSRF must come back with every request that changes something.
	CSRF     string    `json:"csrf"`
	From     string    `json:"from,omitempty"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Actor is who does a staff action and from where: the core re-reads the
// account in the action's transaction, so a role taken away or an account
// disabled stops working at once.
type Actor struct {
	StaffID string
	// From is the client's address (for the audit log).
	From string
	// Staff is filled in by the core.
	Staff Staff
}

// actorIn loads the actor's account in t. nil is the operator's command
// line: an actor with no account and every permission it is given for.
func (s *Service) actorIn(t tx, a *Actor) (Actor, error) {
	if a == nil {
		return Actor{StaffID: "", From: "console"}, nil
	}
	st, err := t.staff(a.StaffID)
	if err != nil {
		return Actor{}, refuse(ReasonNoSession, "staff %q is gone", a.StaffID)
	}
	if st.Disabled {
		return Actor{}, refuse(ReasonNoSession, "staff %q is disabled", a.StaffID)
	}
	return Actor{StaffID: st.ID, From: a.From, Staff: st.public()}, nil
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("core: session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StaffSignIn checks a staff member's password and opens a session. It
// answers ReasonBadCredentials alike for an unknown account and a wrong
// password, and ReasonStaffLocked, without checking the password, while the
// account is locked. from is the client's address. The token returned is
// the only copy: the store keeps its hash.
func (s *Service) StaffSignIn(ctx context.Context, id, password, from string) (token string, sess Session, st Staff, err error) {
	start := time.Now()
	defer func() { s.done("staff_sign_in", start, err) }()
	now := s.clock.Now()
	var hash string
	err = s.view(ctx, func(t tx) error {
		x, err := t.staff(id)
		if err != nil {
			return err
		}
		st, hash = *x, x.PasswordHash
		return nil
	})
	if ReasonOf(err) == ReasonStaffNotFound {
		// Spend the same KDF time on an unknown account.
		_, _ = s.pins.check(ctx, s.dummyHash(), password+"\x00")
		return "", Session{}, Staff{}, s.auditFailedSignIn(ctx, "", id, from, "unknown account", &Error{Reason: ReasonBadCredentials})
	}
	if err != nil {
		return "", Session{}, Staff{}, err
	}
	if now.Before(st.LockedUntil) {
		return "", Session{}, Staff{}, refuse(ReasonStaffLocked, "staff %s is locked until %s", st.ID, st.LockedUntil.UTC().Format(time.RFC3339))
	}
	if st.Disabled {
		return "", Session{}, Staff{}, s.auditFailedSignIn(ctx, st.ID, id, from, "disabled", &Error{Reason: ReasonBadCredentials})
	}
	ok := false
	if password != "" && hash != "" {
		if ok, err = s.pins.check(ctx, hash, password); err != nil {
			return "", Session{}, Staff{}, err
		}
	}
	if !ok {
		return "", Session{}, Staff{}, s.wrongPassword(ctx, st.ID, from, "sign_in_failed")
	}
	token, err = newToken()
	if err != nil {
		return "", Session{}, Staff{}, err
	}
	csrf, err := newToken()
	if err != nil {
		return "", Session{}, Staff{}, err
	}
	sess = Session{ID: sessionID(token), StaffID: st.ID, CSRF: csrf, From: from, Created: now, LastSeen: now}
	err = s.update(ctx, func(t tx) error {
		x, err := t.staff(st.ID)
		if err != nil {
			return err
		}
		if now.Before(x.LockedUntil) {
			return refuse(ReasonStaffLocked, "staff %s is locked", x.ID)
		}
		x.Failures, x.LastFailure, x.LastLogin = 0, time.Time{}, now
		if err := t.putRecord(bStaff, x.ID, x); err != nil {
			return err
		}
		if err := t.endSessions(func(old Session) bool { return s.sessionOver(old, now) }); err != nil {
			return err
		}
		if err := t.putRecord(bStaffSession, sess.ID, &sess); err != nil {
			return err
		}
		st = x.public()
		return s.audit(t, Actor{StaffID: x.ID, From: from}, "sign_in", "staff/"+x.ID, x.Library, nil, map[string]string{"session": sess.ID[:16]})
	})
	if err != nil {
		return "", Session{}, Staff{}, err
	}
	return token, sess, st, nil
}

// wrongPassword counts a wrong password against a staff account, locks
// it at the limit, audits the attempt as action, and returns the refusal:
// ReasonBadCredentials, or ReasonStaffLocked when this one locked it.
func (s *Service) wrongPassword(ctx context.Context, id, from, action string) error {
	cfg, now := s.staffCfg, s.clock.Now()
	var locked bool
	err := s.update(ctx, func(t tx) error {
		x, err := t.staff(id)
		if err != nil {
			return err
		}
		if !x.LastFailure.IsZero() && now.Sub(x.LastFailure) > cfg.LockWindow {
			x.Failures = 0
		}
		x.Failures++
		x.LastFailure = now
		locked = false
		detail := "wrong password"
		if x.Failures >= cfg.LockAfter {
			x.Failures, x.LockedUntil, locked = 0, now.Add(cfg.Lockout), true
			detail = "wrong password; locked until " + x.LockedUntil.UTC().Format(time.RFC3339)
			if err := t.endSessionsOf(x.ID); err != nil {
				return err
			}
		}
		if err := t.putRecord(bStaff, x.ID, x); err != nil {
			return err
		}
		return s.audit(t, Actor{StaffID: x.ID, From: from}, action, "staff/"+x.ID, x.Library, nil, map[string]string{"detail": detail})
	})
	if err != nil {
		return err
	}
	if locked {
		return refuse(ReasonStaffLocked, "staff %s is locked for %s", id, cfg.Lockout)
	}
	return refuse(ReasonBadCredentials, "staff %s", id)
}

// ChangeOwnPassword changes the signed-in member's own password, given
// the current one (a wrong one counts towards the lockout like a failed
// sign-in). Their other sessions end; this one ends too, so the member
// signs in again with the new password.
func (s *Service) ChangeOwnPassword(ctx context.Context, by Actor, current, next string) error {
	if err := checkPassword(next); err != nil {
		return err
	}
	var hash string
	now := s.clock.Now()
	err := s.view(ctx, func(t tx) error {
		x, err := t.staff(by.StaffID)
		if err != nil {
			return refuse(ReasonNoSession, "staff %q is gone", by.StaffID)
		}
		if now.Before(x.LockedUntil) {
			return refuse(ReasonStaffLocked, "staff %s is locked", x.ID)
		}
		hash = x.PasswordHash
		return nil
	})
	if err != nil {
		return err
	}
	ok := false
	if current != "" && hash != "" {
		if ok, err = s.pins.check(ctx, hash, current); err != nil {
			return err
		}
	}
	if !ok {
		return s.wrongPassword(ctx, by.StaffID, by.From, "password_change_failed")
	}
	return s.SetStaffPassword(ctx, &by, by.StaffID, next)
}

// SetStaffDisabled disables an account (its sessions end at once) or
// enables it again. An administrator does it at their library.
func (s *Service) SetStaffDisabled(ctx context.Context, by Actor, id string, disabled bool) (out Staff, err error) {
	err = s.staffUpdate(ctx, "staff_disable", by, func(t tx, a Actor, _ time.Time) error {
		st, err := t.staff(id)
		if err != nil {
			return err
		}
		if err := Permit(a.Staff, ActStaffAdmin, st.Library); err != nil {
			return err
		}
		if st.Has(RoleConsortiumAdmin) && !a.Staff.Has(RoleConsortiumAdmin) {
			return refuse(ReasonForbidden, "only a consortium administrator disables another")
		}
		if st.ID == a.StaffID && disabled {
			return refuse(ReasonBadRequest, "an administrator does not disable their own account")
		}
		before := st.public()
		st.Disabled = disabled
		if err := t.putRecord(bStaff, st.ID, st); err != nil {
			return err
		}
		if disabled {
			if err := t.endSessionsOf(st.ID); err != nil {
				return err
			}
		}
		out = st.public()
		action := "staff_enable"
		if disabled {
			action = "staff_disable"
		}
		return s.audit(t, a, action, "staff/"+st.ID, st.Library, before, out)
	})
	return out, err
}

// auditFailedSignIn records a failed sign-in that changes no account and
// returns refusal.
func (s *Service) auditFailedSignIn(ctx context.Context, staffID, given, from, detail string, refusal error) error {
	err := s.update(ctx, func(t tx) error {
		obj := "staff/" + staffID
		if staffID == "" {
			obj = "staff/?"
		}
		return s.audit(t, Actor{StaffID: staffID, From: from}, "sign_in_failed", obj, "", nil,
			map[string]string{"detail": detail, "id_given": clip(given, 64)})
	})
	if err != nil {
		return err
	}
	return refusal
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// StaffSession finds the session of token and its staff member, and marks
// it used. A session idle longer than the idle timeout, older than the
// maximum, or whose account is gone or disabled is ended and refused with
// ReasonNoSession.
func (s *Service) StaffSession(ctx context.Context, token string) (sess Session, st Staff, err error) {
	now := s.clock.Now()
	if token == "" {
		return Session{}, Staff{}, refuse(ReasonNoSession, "no session")
	}
	id := sessionID(token)
	touch := false
	err = s.view(ctx, func(t tx) error {
		ok, err := t.getRecord(bStaffSession, id, &sess)
		if err != nil {
			return err
		}
		if !ok {
			return refuse(ReasonNoSession, "no such session")
		}
		x, err := t.staff(sess.StaffID)
		if err != nil || x.Disabled || s.sessionOver(sess, now) {
			touch = true // to delete
			return nil
		}
		st = x.public()
		// Mark the session used at most once a minute: a write per request
		// would serialise every click.
		touch = now.Sub(sess.LastSeen) > time.Minute
		return nil
	})
	if err != nil {
		return Session{}, Staff{}, err
	}
	if !touch {
		return sess, st, nil
	}
	expired := false
	err = s.update(ctx, func(t tx) error {
		expired = false
		var cur Session
		ok, err := t.getRecord(bStaffSession, id, &cur)
		if err != nil {
			return err
		}
		if !ok {
			expired = true
			return nil
		}
		x, err := t.staff(cur.StaffID)
		if err != nil || x.Disabled || s.sessionOver(cur, now) {
			expired = true
			return t.Delete(bStaffSession, id)
		}
		cur.LastSeen = now
		sess, st = cur, x.public()
		return t.putRecord(bStaffSession, id, &cur)
	})
	if err != nil {
		return Session{}, Staff{}, err
	}
	if expired {
		return Session{}, Staff{}, refuse(ReasonNoSession, "session ended")
	}
	return sess, st, nil
}

// StaffSignOut ends the session of token. Ending a session that is gone is
// not an error.
func (s *Service) StaffSignOut(ctx context.Context, token, from string) error {
	id := sessionID(token)
	return s.update(ctx, func(t tx) error {
		var sess Session
		ok, err := t.getRecord(bStaffSession, id, &sess)
		if err != nil || !ok {
			return err
		}
		if err := t.Delete(bStaffSession, id); err != nil {
			return err
		}
		lib := ""
		if x, err := t.staff(sess.StaffID); err == nil {
			lib = x.Library
		}
		return s.audit(t, Actor{StaffID: sess.StaffID, From: from}, "sign_out", "staff/"+sess.StaffID, lib, nil, nil)
	})
}

// sessionOver reports whether a session has timed out at now.
func (s *Service) sessionOver(sess Session, now time.Time) bool {
	return now.Sub(sess.LastSeen) > s.staffCfg.IdleTimeout || now.Sub(sess.Created) > s.staffCfg.MaxSession
}

// endSessionsOf deletes every session of a staff member.
func (t tx) endSessionsOf(staffID string) error {
	return t.endSessions(func(s Session) bool { return s.StaffID == staffID })
}

// endSessions deletes the sessions that match: those of one member, or
// the timed-out ones (each sign-in clears those, so sessions nobody
// signed out of do not pile up).
func (t tx) endSessions(match func(Session) bool) error {
	var ids []string
	err := t.Scan(bStaffSession, "", func(k string, v []byte) error {
		var sess Session
		if err := decode(v, &sess); err != nil {
			return err
		}
		if match(sess) {
			ids = append(ids, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range ids {
		if err := t.Delete(bStaffSession, k); err != nil {
			return err
		}
	}
	return nil
}

// dummyHash is a password hash no password is known for, made once: an
// unknown staff id costs the same KDF time as a known one.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		tok, _ := newToken()
		s.dummy, _ = HashPIN(tok, s.kdf)
	})
	return s.dummy
}
