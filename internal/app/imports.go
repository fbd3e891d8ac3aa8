package app

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/bibgate/bibgate/adapters/csvio"
	"github.com/bibgate/bibgate/adapters/holdings"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/core"
)

// catalogueImportReport is the answer of POST /catalogue/import: the
// records' report and that of their copies.
type catalogueImportReport struct {
	catalog.ImportReport
	Copies *holdings.Report `json:"copies,omitempty"`
}

// importRoutes adds the import endpoints of the admin listener:
// POST /catalogue/import (MARC, with copies from the holdings fields),
// POST /patrons/import and POST /items/import (CSV; ?dry_run=1 writes
// nothing). Reports are JSON; they never contain a PIN, and the log gets
// counts only.
func (a *App) importRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /catalogue/import", func(w http.ResponseWriter, r *http.Request) {
		m, err := holdings.ForConsortium(a.cfg.Holdings, a.svc.Consortium())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		opts := catalog.ImportOptions{}
		var im *holdings.Importer
		if m.Enabled() {
			im = &holdings.Importer{Mapper: m, Svc: a.svc}
			opts.Stored = im.Batch
		}
		rep, err := a.catalog.Import(r.Context(), bufio.NewReaderSize(r.Body, 1<<20), opts)
		if tooLarge(err) {
			http.Error(w, fmt.Sprintf("import stopped at the limit of %d bytes (admin.max_import): %d records before it were stored",
				a.cfg.Admin.MaxImport, rep.Records), http.StatusRequestEntityTooLarge)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out := catalogueImportReport{ImportReport: rep}
		ev := a.log.Info().Int("records", rep.Records).Int("dropped", rep.Dropped).Int("repaired", rep.Repaired)
		if im != nil {
			out.Copies = &im.Report
			ev = ev.Int("copies", im.Report.Copies).Int("copies_skipped", im.Report.Skipped)
		}
		ev.Msg("catalogue import")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	type importFunc func(ctx context.Context, svc *core.Service, r io.Reader, opts csvio.Options) (csvio.Report, error)
	list := func(what string, imp importFunc) {
		mux.HandleFunc("POST /"+what+"/import", func(w http.ResponseWriter, r *http.Request) {
			dry := r.URL.Query().Get("dry_run") == "1"
			rep, err := imp(r.Context(), a.svc, r.Body, csvio.Options{DryRun: dry})
			if tooLarge(err) {
				http.Error(w, fmt.Sprintf("import stopped at the limit of %d bytes (admin.max_import): %d lines before it were read",
					a.cfg.Admin.MaxImport, rep.Lines), http.StatusRequestEntityTooLarge)
				return
			}
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			a.log.Info().Str("list", what).Int("lines", rep.Lines).Int("imported", rep.Imported).
				Int("rejected", len(rep.Errors)).Bool("dry_run", dry).Msg("CSV import")
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(rep)
		})
	}
	list("patrons", csvio.ImportPatrons)
	list("items", csvio.ImportItems)
}
