package holdings

import (
	"context"
	"fmt"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/marc"
)

// MaxListedProblems bounds Report.Problems; Report.Skipped counts all.
const MaxListedProblems = 200

// Report summarises the copies of an import.
type Report struct {
	Copies   int       `json:"copies"`  // created or updated
	Skipped  int       `json:"skipped"` // not imported (see Problems)
	Problems []Problem `json:"problems,omitempty"`
}

// Importer writes the copies of batches of records into the core.
type Importer struct {
	Mapper *Mapper
	Svc    *core.Service
	// DryRun maps and reports without writing.
	DryRun bool
	Report Report
}

// Batch maps the copies of recs (numbers are their positions in the file)
// and creates or updates them in one transaction. A copy that already
// exists keeps its loan, hold and status (core.PutItems).
func (im *Importer) Batch(ctx context.Context, numbers []int, recs []*marc.Record) error {
	var items []core.Item
	for i, rec := range recs {
		its, probs := im.Mapper.Copies(numbers[i], rec)
		items = append(items, its...)
		im.Report.Skipped += len(probs)
		for _, p := range probs {
			if len(im.Report.Problems) < MaxListedProblems {
				im.Report.Problems = append(im.Report.Problems, p)
			}
		}
	}
	items = dedupe(items)
	if len(items) == 0 {
		return nil
	}
	if !im.DryRun {
		if err := im.Svc.PutItems(ctx, items); err != nil {
			return fmt.Errorf("holdings: store %d copies: %w", len(items), err)
		}
	}
	im.Report.Copies += len(items)
	return nil
}

// dedupe keeps the last of copies sharing a barcode within one batch (a
// record listed twice in an export), as a re-import would.
func dedupe(items []core.Item) []core.Item {
	at := make(map[string]int, len(items))
	out := items[:0]
	for _, it := range items {
		if i, ok := at[it.ID]; ok {
			out[i] = it
			continue
		}
		at[it.ID] = len(out)
		out = append(out, it)
	}
	return out
}
