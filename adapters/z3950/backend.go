// Package z3950adapter serves the union catalogue over Z39.50: it
// implements z3950server's Backend and Session (with Scan and Sort) on
// catalog.Catalogue. Init checks the configured accounts or admits anonymous
// users; Search turns Type-1 RPN (search/pqfquery) and type-104 CQL
// (search/cqlquery) into the catalogue's query tree; result sets are the
// record ids; Present renders USMARC (the stored ISO 2709), MARCXML, Dublin
// Core, MODS, SUTRS and OPAC records with live holdings, full (F) or brief
// (B); Scan and Sort use the catalogue's index.
//
// Renderings other than the stored USMARC are kept in a recordcache.Cache
// shared by all sessions, so presenting a popular record is a copy.
package z3950adapter

import (
	"context"
	"crypto/subtle"
	"strings"

	"github.com/rs/zerolog"

	"github.com/bibgate/bibgate/adapters/z3950/recordcache"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/z3950"
	"github.com/bibgate/bibgate/z3950/z3950server"
)

// DefaultDatabase is the database name served when Backend.Database is "".
const DefaultDatabase = "Default"

// Backend opens Z39.50 sessions on a catalogue. Set the fields before the
// server starts; they must not change afterwards.
type Backend struct {
	Catalogue *catalog.Catalogue
	// Database is the one database name served (compared
	// case-insensitively); other names get Bib-1 diagnostic 109.
	Database string
	// Accounts maps user names to passwords. A client that sends a user
	// name must match an account when there are any.
	Accounts map[string]string
	// Anonymous admits clients that send no credentials (and, when no
	// accounts are configured, clients whose credentials cannot be checked).
	Anonymous bool
	// Cache keeps renderings; nil makes a private one of the default size.
	Cache *recordcache.Cache
	// Logger gets debug lines about refused logins (never the password).
	Logger zerolog.Logger
}

// NewBackend returns a backend with a fresh cache.
func NewBackend(cat *catalog.Catalogue, database string) *Backend {
	return &Backend{Catalogue: cat, Database: database, Anonymous: true, Cache: recordcache.New(0)}
}

func (b *Backend) database() string {
	if b.Database == "" {
		return DefaultDatabase
	}
	return b.Database
}

func (b *Backend) cache() *recordcache.Cache {
	if b.Cache == nil {
		b.Cache = recordcache.New(0)
	}
	return b.Cache
}

// Init admits or refuses a client:
//
//   - with credentials and accounts configured, the user must exist and the
//     password match (else 1011, addinfo the user name);
//   - with credentials and no accounts, the client is admitted as an
//     anonymous one if Anonymous is set (YAZ clients send whatever their
//     user typed), else refused with 1011;
//   - without credentials, Anonymous decides (else 1010).
func (b *Backend) Init(ctx context.Context, info z3950server.InitInfo) (z3950server.Session, error) {
	b.cache()
	user := info.User
	switch {
	case user != "" && len(b.Accounts) > 0:
		want, ok := b.Accounts[user]
		if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(info.Password)) != 1 {
			b.Logger.Debug().Str("proto", "z3950").Str("user", user).Msg("init refused: bad user or password")
			return nil, z3950.NewDiagnostic(z3950.DiagBadUserPassword, user)
		}
	case user != "":
		if !b.Anonymous {
			return nil, z3950.NewDiagnostic(z3950.DiagBadUserPassword, user)
		}
		user = ""
	default:
		if !b.Anonymous {
			return nil, z3950.NewDiagnostic(z3950.DiagInitRefused, "authentication required")
		}
	}
	return &session{b: b, user: user}, nil
}

// session is one association. The server calls it from one goroutine.
type session struct {
	b    *Backend
	user string
}

var (
	_ z3950server.Session = (*session)(nil)
	_ z3950server.Scanner = (*session)(nil)
	_ z3950server.Sorter  = (*session)(nil)
	_ z3950server.Closer  = (*session)(nil)
)

// Close ends the session; result sets are the server's and go with it.
func (s *session) Close() error { return nil }

// checkDatabases accepts only the configured database name.
func (s *session) checkDatabases(dbs []string) error {
	for _, db := range dbs {
		if !strings.EqualFold(db, s.b.database()) {
			return z3950.NewDiagnostic(z3950.DiagDatabaseUnavailable, db)
		}
	}
	return nil
}

// resultSet is a result set's handle: the record ids in result order.
type resultSet struct {
	ids []uint32
}
