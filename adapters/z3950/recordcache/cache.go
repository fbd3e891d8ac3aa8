// Package recordcache keeps catalogue records ready to send: parsed MARC
// records and their renderings (MARCXML, SUTRS, brief MARC, Dublin Core ...)
// in one least-recently-used cache bounded in bytes, so that a Z39.50
// Present or an SRU searchRetrieve of a popular record copies bytes instead
// of converting them again.
//
// An entry is keyed by the record's internal id and a format name, and
// remembers a hash of the stored ISO 2709 bytes it was made from: a record
// replaced by a later import no longer matches and is rendered afresh, so
// the cache never needs to be told about updates.
package recordcache

import (
	"bytes"
	"container/list"
	"errors"
	"fmt"
	"hash/maphash"
	"sync"

	"github.com/bibgate/bibgate/marc"
)

// DefaultMaxBytes bounds a cache made with New(0).
const DefaultMaxBytes = 64 << 20

// entryOverhead approximates the bookkeeping of one entry in bytes.
const entryOverhead = 128

// Cache is safe for concurrent use.
type Cache struct {
	seed     maphash.Seed
	maxBytes int

	mu      sync.Mutex
	bytes   int
	lru     *list.List // of *entry, most recent first
	entries map[key]*list.Element
	// origin finds the key of a parsed record handed out by Parse, so that
	// renderings asked for by record (RenderParsed) can be cached too.
	origin map[*marc.Record]key

	hits, misses uint64
}

type key struct {
	id     uint32
	format string
}

type entry struct {
	key  key
	sum  uint64
	val  any
	size int
}

// formatParsed is the format name of parsed records.
const formatParsed = ""

// New returns a cache holding up to maxBytes of renderings (roughly: the
// size of parsed records is estimated); maxBytes <= 0 means DefaultMaxBytes.
func New(maxBytes int) *Cache {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Cache{seed: maphash.MakeSeed(), maxBytes: maxBytes, lru: list.New(),
		entries: map[key]*list.Element{}, origin: map[*marc.Record]key{}}
}

// Stats reports cache hits and misses since the cache was made.
func (c *Cache) Stats() (hits, misses uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

// Len is the number of entries.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

func (c *Cache) sum(raw []byte) uint64 { return maphash.Bytes(c.seed, raw) }

func (c *Cache) get(k key, sum uint64) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok || el.Value.(*entry).sum != sum {
		c.misses++
		return nil, false
	}
	c.hits++
	c.lru.MoveToFront(el)
	return el.Value.(*entry).val, true
}

func (c *Cache) put(k key, sum uint64, v any, size int) {
	size += entryOverhead + len(k.format)
	if size > c.maxBytes/8 {
		return // one huge record must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[k]; ok {
		c.remove(el)
	}
	e := &entry{key: k, sum: sum, val: v, size: size}
	c.entries[k] = c.lru.PushFront(e)
	c.bytes += size
	if rec, ok := v.(*marc.Record); ok {
		c.origin[rec] = k
	}
	for c.bytes > c.maxBytes {
		c.remove(c.lru.Back())
	}
}

func (c *Cache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*entry)
	delete(c.entries, e.key)
	c.bytes -= e.size
	if rec, ok := e.val.(*marc.Record); ok {
		delete(c.origin, rec)
	}
}

// Parse returns the record stored as raw (ISO 2709) under id, parsed. The
// record is shared: callers must not modify it.
func (c *Cache) Parse(id uint32, raw []byte) (*marc.Record, error) {
	return c.parse(id, c.sum(raw), raw)
}

func (c *Cache) parse(id uint32, sum uint64, raw []byte) (*marc.Record, error) {
	k := key{id: id, format: formatParsed}
	if v, ok := c.get(k, sum); ok {
		return v.(*marc.Record), nil
	}
	rec, err := parseMARC(raw)
	if err != nil {
		return nil, err
	}
	// A parsed record takes about twice its ISO 2709 size in memory.
	c.put(k, sum, rec, 2*len(raw))
	return rec, nil
}

// Render returns the rendering of the record stored as raw under id in the
// named format, from the cache or made by render (and then cached).
// render gets the parsed record and must not modify it.
func (c *Cache) Render(id uint32, raw []byte, format string, render func(*marc.Record) ([]byte, error)) ([]byte, error) {
	sum := c.sum(raw)
	k := key{id: id, format: format}
	if v, ok := c.get(k, sum); ok {
		return v.([]byte), nil
	}
	rec, err := c.parse(id, sum, raw)
	if err != nil {
		return nil, err
	}
	out, err := render(rec)
	if err != nil {
		return nil, err
	}
	c.put(k, sum, out, len(out))
	return out, nil
}

// RenderParsed renders a record that Parse handed out, caching the result
// under the record's id while the parsed record itself is cached; any other
// record is rendered without caching.
func (c *Cache) RenderParsed(rec *marc.Record, format string, render func(*marc.Record) ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	pk, known := c.origin[rec]
	var sum uint64
	if known {
		sum = c.entries[pk].Value.(*entry).sum
	}
	c.mu.Unlock()
	if !known {
		return render(rec)
	}
	k := key{id: pk.id, format: format}
	if v, ok := c.get(k, sum); ok {
		return v.([]byte), nil
	}
	out, err := render(rec)
	if err != nil {
		return nil, err
	}
	c.put(k, sum, out, len(out))
	return out, nil
}

// parseMARC reads one ISO 2709 record; a record with repairable defects is
// still a record.
func parseMARC(raw []byte) (*marc.Record, error) {
	rec, err := marc.NewReader(bytes.NewReader(raw)).Next()
	if rec != nil {
		var d *marc.Defect
		if err == nil || errors.As(err, &d) {
			return rec, nil
		}
	}
	if err == nil {
		err = errors.New("empty record")
	}
	return nil, fmt.Errorf("recordcache: parse record: %w", err)
}
