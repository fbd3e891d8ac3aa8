// Package catalog is the union catalogue: MARC 21 records and their search
// index (search/boltindex) beside the circulation core, which supplies the
// live holdings of every title. Protocol adapters (Z39.50, SRU) and the
// command line (import, export, search) work through it.
package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/search/boltindex"
)

// Catalogue is the records, their index and the live holdings.
type Catalogue struct {
	idx  *boltindex.Index
	circ *core.Service
	// feed, when set, is where records are written; the index follows it
	// (see OpenFollowing).
	feed   Feed
	follow *Follower
}

// Open opens (or creates) the catalogue file at path. circ supplies
// holdings; it may be nil for tools that need none (import, export).
func Open(path string, circ *core.Service) (*Catalogue, error) {
	idx, err := boltindex.Open(path, nil)
	if err != nil {
		return nil, fmt.Errorf("catalog: open %s: %w", path, err)
	}
	return &Catalogue{idx: idx, circ: circ}, nil
}

// Close closes the catalogue file.
func (c *Catalogue) Close() error {
	if c.idx == nil {
		return nil
	}
	return c.idx.Close()
}

// Index is the search index (for adapters that need more than this
// package offers).
func (c *Catalogue) Index() *boltindex.Index { return c.idx }

// Search runs a query and returns the exact hit count and record ids.
func (c *Catalogue) Search(ctx context.Context, q search.Query) (search.Result, error) {
	return c.idx.Search(ctx, q)
}

// Records returns the stored ISO 2709 (UTF-8) records for ids, in order; a
// missing record is nil.
func (c *Catalogue) Records(ctx context.Context, ids []uint32) ([][]byte, error) {
	return c.idx.Records(ctx, ids)
}

// Parsed returns the records for ids decoded; a missing or unreadable
// record is nil.
func (c *Catalogue) Parsed(ctx context.Context, ids []uint32) ([]*marc.Record, error) {
	raws, err := c.idx.Records(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*marc.Record, len(raws))
	for i, raw := range raws {
		if raw == nil {
			continue
		}
		rec, err := marc.NewReader(bytesReader(raw)).Next()
		if err == nil || (rec != nil && isDefect(err)) {
			out[i] = rec
		}
	}
	return out, nil
}

func isDefect(err error) bool {
	var d *marc.Defect
	return errors.As(err, &d)
}

// Keys returns the record keys (001) of ids.
func (c *Catalogue) Keys(ctx context.Context, ids []uint32) ([]string, error) {
	return c.idx.Keys(ctx, ids)
}

// Scan browses an index from a term.
func (c *Catalogue) Scan(ctx context.Context, req search.ScanRequest) ([]search.ScanTerm, error) {
	return c.idx.Scan(ctx, req)
}

// Sort orders ids by the given keys.
func (c *Catalogue) Sort(ctx context.Context, ids []uint32, by ...search.SortSpec) ([]uint32, error) {
	return c.idx.Sort(ctx, ids, by...)
}

// Stats reports the catalogue's size.
func (c *Catalogue) Stats(ctx context.Context) (boltindex.Stats, error) { return c.idx.Stats(ctx) }

// Holding is one copy of a title with its live circulation state.
type Holding struct {
	ItemID      string
	Library     string
	LibraryName string
	CallNumber  string
	Material    string
	Status      core.ItemStatus
	// Available: on the shelf now.
	Available bool
	// Due is set while on loan.
	Due time.Time
	// OnHold counts the holds queued for the title.
	OnHold int
	// ReadingRoomOnly copies are not lent home.
	ReadingRoomOnly bool
}

// Holdings returns the live holdings of the record with key (its 001).
// Copies written off (withdrawn) are no longer holdings.
func (c *Catalogue) Holdings(ctx context.Context, key string) ([]Holding, error) {
	if c.circ == nil {
		return nil, nil
	}
	items, err := c.circ.ItemsOfRecord(ctx, key)
	if err != nil {
		return nil, err
	}
	out := make([]Holding, 0, len(items))
	for _, is := range items {
		it := is.Item
		if it.Status == core.ItemWithdrawn {
			continue
		}
		h := Holding{ItemID: it.ID, Library: it.Library, CallNumber: it.CallNumber, Material: it.Material,
			Status: it.Status, Available: it.Status == core.ItemAvailable, Due: is.Due, OnHold: is.HoldQueue,
			ReadingRoomOnly: it.ReadingRoomOnly || it.ILL}
		if lib, ok := c.circ.Consortium().Library(it.Library); ok {
			h.LibraryName = lib.Name
		}
		out = append(out, h)
	}
	return out, nil
}

// ImportReport summarises an import.
type ImportReport struct {
	Records int // stored (new or updated)
	Dropped int // unreadable, not stored
	// Repaired and Reencoded count records stored after a repair or an
	// encoding fix.
	Repaired, Reencoded int
	// NoKey counts records without a 001, stored under a key derived from
	// their content (so a re-import updates them).
	NoKey int
	// Replaced counts stored records that took the place of another with
	// the same 001, one already in the catalogue or one earlier in the
	// input: the catalogue grew by Records - Replaced.
	Replaced int
	// ReplacedKeys lists the first of those 001s (up to MaxListedDefects).
	ReplacedKeys []string `json:",omitempty"`
	// Defects lists the first defects in full (record number, offset,
	// reason).
	Defects []marc.Defect
	Elapsed time.Duration
}

// MaxListedDefects bounds ImportReport.Defects.
const MaxListedDefects = 50

// ImportOptions tune an import.
type ImportOptions struct {
	// Batch is the number of records indexed per transaction (default 5000).
	Batch int
	// Progress is called after each batch with the records read so far.
	Progress func(records int)
	// Stored is called after each batch is stored with the records and
	// their positions in the file (1-based): the copies in their holdings
	// fields are imported from here. An error stops the import.
	Stored func(ctx context.Context, numbers []int, recs []*marc.Record) error
}

// Import reads ISO 2709 or MARCXML (detected) from r, converting MARC-8,
// and stores every readable record under its 001; a record whose 001 is
// already there (or came earlier in r) replaces it in place, and the
// report counts and names it.
func (c *Catalogue) Import(ctx context.Context, r io.Reader, opts ImportOptions) (ImportReport, error) {
	start := time.Now()
	var rep ImportReport
	if opts.Batch <= 0 {
		opts.Batch = 5000
	}
	rd, _, err := marc.NewAutoReader(r)
	if err != nil {
		return rep, fmt.Errorf("catalog: import: %w", err)
	}
	var batch []boltindex.Doc
	var nums []int
	var recs []*marc.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		put, err := c.store(ctx, batch)
		if err != nil {
			return fmt.Errorf("catalog: import: %w", err)
		}
		if opts.Stored != nil {
			recs = recs[:0]
			for i := range batch {
				recs = append(recs, batch[i].Record)
			}
			if err := opts.Stored(ctx, nums, recs); err != nil {
				return fmt.Errorf("catalog: import: %w", err)
			}
		}
		rep.Records += len(batch)
		rep.Replaced += len(put.Replaced)
		for _, k := range put.Replaced {
			if len(rep.ReplacedKeys) < MaxListedDefects {
				rep.ReplacedKeys = append(rep.ReplacedKeys, k)
			}
		}
		batch, nums = batch[:0], nums[:0]
		if opts.Progress != nil {
			opts.Progress(rep.Records + rep.Dropped)
		}
		return nil
	}
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rec, err := rd.Next()
		if err == io.EOF {
			break
		}
		n++
		var d *marc.Defect
		switch {
		case errors.As(err, &d):
			if len(rep.Defects) < MaxListedDefects {
				rep.Defects = append(rep.Defects, *d)
			}
			switch d.Kind {
			case marc.DefectDropped:
				rep.Dropped++
			case marc.DefectEncoding:
				rep.Reencoded++
			default:
				rep.Repaired++
			}
		case err != nil:
			return rep, fmt.Errorf("catalog: import: record %d: %w", n, err)
		}
		if rec == nil {
			continue
		}
		if !hasDataField(rec) {
			if d != nil { // already listed as repaired: it is dropped after all
				rep.Repaired--
				rep.Defects = slices.DeleteFunc(rep.Defects, func(x marc.Defect) bool { return x.Record == n })
			}
			rep.Dropped++
			if len(rep.Defects) < MaxListedDefects {
				rep.Defects = append(rep.Defects, marc.Defect{Record: n, Offset: offset(rd), Reason: "no data fields: nothing to store", Kind: marc.DefectDropped})
			}
			continue
		}
		key := rec.ControlNumber()
		if key == "" {
			// A key from the content, so that importing the same file again
			// updates these records instead of adding them twice.
			raw, err := marc.Marshal(rec)
			if err == nil {
				sum := sha256.Sum256(raw)
				key = "import-" + hex.EncodeToString(sum[:10])
				rec.Fields = append([]marc.Field{{Tag: "001", Value: key}}, rec.Fields...)
				rep.NoKey++
			}
		}
		raw, err := marc.Marshal(rec)
		if err != nil {
			rep.Dropped++
			if len(rep.Defects) < MaxListedDefects {
				rep.Defects = append(rep.Defects, marc.Defect{Record: n, Offset: offset(rd), Reason: "cannot store: " + err.Error(), Kind: marc.DefectDropped})
			}
			continue
		}
		batch = append(batch, boltindex.Doc{Key: key, Record: rec, Raw: raw})
		nums = append(nums, n)
		if len(batch) >= opts.Batch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	if err := c.indexed(ctx); err != nil {
		return rep, fmt.Errorf("catalog: import: %w", err)
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// Export writes every record, in key order of storage, as ISO 2709
// (xml=false) or a MARCXML collection.
func (c *Catalogue) Export(ctx context.Context, w io.Writer, xml bool) (int, error) {
	res, err := c.idx.Search(ctx, &search.All{})
	if err != nil {
		return 0, err
	}
	var xw *marc.XMLWriter
	if xml {
		xw = marc.NewXMLWriter(w)
	}
	n := 0
	for i := 0; i < len(res.IDs); i += 1000 {
		raws, err := c.idx.Records(ctx, res.IDs[i:min(i+1000, len(res.IDs))])
		if err != nil {
			return n, err
		}
		for _, raw := range raws {
			if raw == nil {
				continue
			}
			if !xml {
				if _, err := w.Write(raw); err != nil {
					return n, err
				}
				n++
				continue
			}
			rec, err := marc.NewReader(bytesReader(raw)).Next()
			if rec == nil {
				return n, fmt.Errorf("catalog: export: stored record unreadable: %v", err)
			}
			if err := xw.Write(rec); err != nil {
				return n, err
			}
			n++
		}
	}
	if xw != nil {
		return n, xw.Close()
	}
	return n, nil
}

// hasDataField reports whether rec has anything beyond control fields.
func hasDataField(rec *marc.Record) bool {
	for i := range rec.Fields {
		if !rec.Fields[i].IsControl() {
			return true
		}
	}
	return false
}

// offset is the byte offset of the record rd returned last, when rd knows.
func offset(rd marc.RecordReader) int64 {
	if o, ok := rd.(interface{ Offset() int64 }); ok {
		return o.Offset()
	}
	return 0
}
