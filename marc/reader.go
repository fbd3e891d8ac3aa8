package marc

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ISO 2709 delimiters.
const (
	recordTerminator  = 0x1D
	fieldTerminator   = 0x1E
	subfieldDelimiter = 0x1F
	leaderLen         = 24
	dirEntryLen       = 12
)

// Encoding names the character set of ISO 2709 input.
type Encoding int

const (
	// EncodingAuto honours leader/09 but checks the bytes (the default).
	EncodingAuto Encoding = iota
	// EncodingUTF8 reads every record as UTF-8 whatever leader/09 says.
	EncodingUTF8
	// EncodingMARC8 reads every record as MARC-8 whatever leader/09 says.
	EncodingMARC8
	// EncodingLatin1 reads every record as ISO 8859-1, for files from
	// systems that wrote Latin-1 and labelled it MARC-8.
	EncodingLatin1
)

func (e Encoding) String() string {
	switch e {
	case EncodingAuto:
		return "auto"
	case EncodingUTF8:
		return "UTF-8"
	case EncodingMARC8:
		return "MARC-8"
	case EncodingLatin1:
		return "ISO 8859-1"
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// DefaultMaxRecordSize bounds the bytes the reader looks through for a
// record terminator. ISO 2709 records are at most 99,999 bytes; the margin
// lets it salvage records whose leader understates their length.
const DefaultMaxRecordSize = 1 << 20

type readerConfig struct {
	encoding Encoding
	maxSize  int
}

// ReaderOption configures a Reader.
type ReaderOption func(*readerConfig)

// WithEncoding overrides leader/09 (see Encoding).
func WithEncoding(e Encoding) ReaderOption {
	return func(c *readerConfig) { c.encoding = e }
}

// WithMaxRecordSize sets how many bytes may come before a record terminator
// before the reader gives up on the record and skips to the next terminator.
func WithMaxRecordSize(n int) ReaderOption {
	return func(c *readerConfig) {
		if n > leaderLen {
			c.maxSize = n
		}
	}
}

// Reader reads ISO 2709 records one at a time from a stream.
//
// The reader is tolerant. Its policy:
//   - Records are framed by the record terminator 0x1D, not by the leader's
//     length, so a wrong length costs one record at most. Whitespace, NUL
//     and stray terminators between records are skipped silently; junk
//     before a leader is skipped when the length that follows it fits.
//   - Fields are located through the directory. When the directory does not
//     match the data (lengths counted in characters, missing field
//     terminators, bad offsets) the fields are taken at their field
//     terminators instead.
//   - Invalid indicators become blanks; text between the indicators and the
//     first subfield delimiter becomes subfield a (a single stray character
//     is dropped); a subfield delimiter followed by an invalid code (space,
//     control, non-ASCII) is treated as a stray byte and its text joins the
//     previous subfield; C0 control characters in values are removed.
//   - Leader/09 is honoured but checked: MARC-8 that is really UTF-8 is read
//     as UTF-8, UTF-8 that is not valid is read as MARC-8 when that decodes
//     cleanly and otherwise with U+FFFD for the bad bytes; double-encoded
//     UTF-8 is undone. Undefined MARC-8 codes become U+FFFD.
//
// Every repair is reported: Next returns the record and a *Defect saying
// what was done. Records come out in UTF-8, NFC, with leader/09 'a'; the
// rest of the leader is as read (lengths included: Marshal recomputes them).
type Reader struct {
	br     *bufio.Reader
	cfg    readerConfig
	offset int64  // bytes consumed so far
	n      int    // records seen so far
	carry  []byte // bytes already read that belong to the next record
	chunk  []byte
	scr    []byte
	dec    *marc8Decoder
	last   int64 // offset of the record Next last looked at
	err    error
}

// NewReader returns a Reader for ISO 2709 records on r.
func NewReader(r io.Reader, opts ...ReaderOption) *Reader {
	cfg := readerConfig{maxSize: DefaultMaxRecordSize}
	for _, o := range opts {
		o(&cfg)
	}
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &Reader{br: br, cfg: cfg, dec: newMARC8Decoder()}
}

// Next returns the next record. At the end of the stream it returns
// (nil, io.EOF). A defective record yields a *Defect as the error: with the
// salvaged record for DefectEncoding and DefectRepaired, with nil for
// DefectDropped; call Next again to go on. Any other error is an I/O error
// from the underlying reader and is final.
func (r *Reader) Next() (*Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	if err := r.skipSeparators(); err != nil {
		if err != io.EOF {
			err = fmt.Errorf("marc: read at byte %d: %w", r.offset, err)
		}
		r.err = err
		return nil, err
	}
	start := r.offset
	r.last = start
	chunk, terminated, overflow, err := r.readChunk()
	if err != nil {
		r.err = fmt.Errorf("marc: read record at byte %d: %w", start, err)
		return nil, r.err
	}
	r.n++
	if overflow > 0 {
		return nil, &Defect{Record: r.n, Offset: start, Kind: DefectDropped,
			Reason: fmt.Sprintf("no record terminator within %d bytes; skipped %d bytes", r.cfg.maxSize, overflow)}
	}
	var p problems
	if !terminated {
		p.add(DefectRepaired, "stream ends without a record terminator")
	}
	rec := r.parse(chunk, start, &p)
	d := p.defect(r.n, start)
	if rec == nil {
		if d == nil { // cannot happen: parse reports why it gave up
			d = &Defect{Record: r.n, Offset: start, Kind: DefectDropped, Reason: "unreadable record"}
		}
		d.Kind = DefectDropped
		return nil, d
	}
	if d != nil {
		return rec, d
	}
	return rec, nil
}

// Offset returns the byte offset in the stream of the record that Next
// returned last (or reported as a Defect).
func (r *Reader) Offset() int64 { return r.last }

func isSeparator(b byte) bool {
	switch b {
	case ' ', '\t', '\r', '\n', 0, recordTerminator, 0x1A:
		return true
	}
	return false
}

// skipSeparators discards the bytes that may sit between records.
func (r *Reader) skipSeparators() error {
	for len(r.carry) > 0 && isSeparator(r.carry[0]) {
		r.carry = r.carry[1:]
		r.offset++
	}
	if len(r.carry) > 0 {
		return nil
	}
	for {
		b, err := r.br.ReadByte()
		if err != nil {
			return err
		}
		if !isSeparator(b) {
			return r.br.UnreadByte()
		}
		r.offset++
	}
}

// readChunk reads up to and including the next record terminator.
func (r *Reader) readChunk() (chunk []byte, terminated bool, overflow int64, err error) {
	r.chunk = r.chunk[:0]
	if len(r.carry) > 0 {
		if i := bytes.IndexByte(r.carry, recordTerminator); i >= 0 {
			r.chunk = append(r.chunk, r.carry[:i+1]...)
			r.carry = r.carry[i+1:]
			r.offset += int64(i + 1)
			return r.chunk, true, 0, nil
		}
		r.chunk = append(r.chunk, r.carry...)
		r.offset += int64(len(r.carry))
		r.carry = nil
	}
	for {
		part, err := r.br.ReadSlice(recordTerminator)
		r.offset += int64(len(part))
		if len(r.chunk)+len(part) > r.cfg.maxSize {
			skipped := int64(len(r.chunk) + len(part))
			r.chunk = r.chunk[:0]
			for errors.Is(err, bufio.ErrBufferFull) {
				part, err = r.br.ReadSlice(recordTerminator)
				r.offset += int64(len(part))
				skipped += int64(len(part))
			}
			if err != nil && err != io.EOF {
				return nil, false, 0, err
			}
			return nil, false, skipped, nil
		}
		r.chunk = append(r.chunk, part...)
		switch {
		case err == nil:
			return r.chunk, true, 0, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			return r.chunk, false, 0, nil
		default:
			return nil, false, 0, err
		}
	}
}

// atoi parses an all-digit field; ok is false for anything else.
func atoi(b []byte) (n int, ok bool) {
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

type dirEntry struct {
	tag        string
	length     int
	start      int
	content    []byte
	hasContent bool
}

type rawSub struct {
	code  byte
	value []byte
}

type rawField struct {
	tag        string
	value      []byte
	ind1, ind2 byte
	subs       []rawSub
}

// parse turns one framed record into a Record, or returns nil when nothing
// can be salvaged. start is the record's offset, for splitting.
func (r *Reader) parse(chunk []byte, start int64, p *problems) *Record {
	terminated := len(chunk) > 0 && chunk[len(chunk)-1] == recordTerminator
	recLen, lenOK := atoi(safeSlice(chunk, 0, 5))
	// A missing record terminator: the next leader follows this record's
	// last field terminator, where the leader length says (counting the
	// missing byte or not).
	split := 0
	if lenOK && recLen > leaderLen && recLen+leaderLen <= len(chunk) {
		switch {
		case chunk[recLen-2] == fieldTerminator && looksLikeLeader(chunk[recLen-1:]):
			split = recLen - 1
		case chunk[recLen-1] == fieldTerminator && looksLikeLeader(chunk[recLen:]):
			split = recLen
		}
	}
	switch {
	case split > 0:
		p.add(DefectRepaired, "record terminator missing; the next record starts at byte %d", start+int64(split))
		r.carry = append(append([]byte(nil), chunk[split:]...), r.carry...)
		r.offset -= int64(len(chunk) - split)
		chunk = append(chunk[:split:split], recordTerminator)
		terminated = true
	case recLen != len(chunk) && !plausibleLeader(chunk):
		// Junk before the leader: look for a leader whose length fits exactly.
		for k := 1; k <= 256 && k+leaderLen < len(chunk); k++ {
			if m, ok := atoi(chunk[k : k+5]); ok && m == len(chunk)-k && plausibleLeader(chunk[k:]) {
				p.add(DefectRepaired, "skipped %d junk bytes before the leader", k)
				chunk = chunk[k:]
				recLen, lenOK = m, true
				break
			}
		}
	}
	if len(chunk) < leaderLen+1 {
		p.add(DefectDropped, "only %d bytes, too short for a record", len(chunk))
		return nil
	}
	leader := []byte(string(chunk[:leaderLen]))
	body := chunk
	if terminated {
		body = chunk[:len(chunk)-1]
	}
	switch {
	case !lenOK:
		p.add(DefectRepaired, "leader/00-04 %q is not a record length", leader[0:5])
	case recLen != len(chunk):
		p.add(DefectRepaired, "leader gives length %d, record has %d bytes", recLen, len(chunk))
	}
	fixed := 0
	for i, c := range leader {
		if c == '^' || c < 0x20 || c > 0x7E {
			leader[i] = ' '
			fixed++
		}
	}
	if fixed > 0 {
		p.add(DefectRepaired, "%d leader character(s) replaced by blanks", fixed)
	}
	dirEnd := bytes.IndexByte(body[leaderLen:], fieldTerminator)
	if dirEnd < 0 {
		p.add(DefectDropped, "no field terminator after the directory")
		return nil
	}
	dirEnd += leaderLen
	if base, ok := atoi(leader[12:17]); !ok || base != dirEnd+1 {
		p.add(DefectRepaired, "base address %q, but the directory ends at byte %d", leader[12:17], dirEnd)
	}
	dir := body[leaderLen:dirEnd]
	if len(dir)%dirEntryLen != 0 {
		p.add(DefectRepaired, "directory length %d is not a multiple of 12", len(dir))
	}
	data := body[dirEnd+1:]
	var entries []dirEntry
	for i := 0; i+dirEntryLen <= len(dir); i += dirEntryLen {
		e := dir[i : i+dirEntryLen]
		l, ok1 := atoi(e[3:7])
		s, ok2 := atoi(e[7:12])
		if !ok1 || !ok2 || !validTag(e[:3]) {
			p.add(DefectRepaired, "directory entry %d %q is malformed; field dropped", i/dirEntryLen+1, e)
			continue
		}
		tag := string(e[:3])
		if !alnumTag(tag) {
			p.add(DefectRepaired, "tag %q is not alphanumeric", tag)
		}
		entries = append(entries, dirEntry{tag: tag, length: l, start: s})
	}
	locateFields(entries, data, p)

	fields := make([]rawField, 0, len(entries))
	for _, e := range entries {
		if !e.hasContent {
			continue
		}
		fields = append(fields, splitField(e.tag, e.content, p))
	}
	rec := &Record{Fields: make([]Field, len(fields))}
	r.decodeFields(rec, leader, fields, data, p)
	leader[9] = 'a'
	rec.Leader = string(leader)
	return rec
}

func safeSlice(b []byte, i, j int) []byte {
	if j > len(b) {
		return nil
	}
	return b[i:j]
}

// plausibleLeader checks the numeric parts of a leader: record length,
// base address and the entry map's length digits.
func plausibleLeader(b []byte) bool {
	if len(b) < leaderLen {
		return false
	}
	_, ok1 := atoi(b[0:5])
	_, ok2 := atoi(b[12:17])
	_, ok3 := atoi(b[20:22])
	return ok1 && ok2 && ok3
}

func looksLikeLeader(b []byte) bool {
	if len(b) < leaderLen {
		return false
	}
	n, ok := atoi(b[:5])
	return ok && (n == len(b) || string(b[20:22]) == "45")
}

// validTag accepts three printable ASCII characters, not all blank.
func validTag(t []byte) bool {
	blank := true
	for _, c := range t {
		if c < 0x20 || c > 0x7E {
			return false
		}
		if c != ' ' {
			blank = false
		}
	}
	return !blank
}

func alnumTag(t string) bool {
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// locateFields finds each entry's content (without its terminator).
func locateFields(entries []dirEntry, data []byte, p *problems) {
	exact := func(e *dirEntry) bool {
		end := e.start + e.length
		if e.length < 1 || end > len(data) || data[end-1] != fieldTerminator {
			return false
		}
		if e.start > 0 && data[e.start-1] != fieldTerminator {
			return false
		}
		return bytes.IndexByte(data[e.start:end-1], fieldTerminator) < 0
	}
	allExact := true
	for i := range entries {
		if !exact(&entries[i]) {
			allExact = false
			break
		}
	}
	if allExact {
		for i := range entries {
			e := &entries[i]
			e.content, e.hasContent = data[e.start:e.start+e.length-1], true
		}
		return
	}
	// Split the data area at its field terminators.
	var segs [][]byte
	rest := data
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, fieldTerminator)
		if i < 0 {
			p.add(DefectRepaired, "last field has no field terminator")
			segs = append(segs, rest)
			break
		}
		segs = append(segs, rest[:i])
		rest = rest[i+1:]
	}
	if len(segs) == len(entries) {
		p.add(DefectRepaired, "directory lengths or offsets do not match the data; fields taken at their terminators")
		order := make([]*dirEntry, len(entries))
		for i := range entries {
			order[i] = &entries[i]
		}
		sort.SliceStable(order, func(i, j int) bool { return order[i].start < order[j].start })
		for i, e := range order {
			e.content, e.hasContent = segs[i], true
		}
		return
	}
	for i := range entries {
		e := &entries[i]
		if exact(e) {
			e.content, e.hasContent = data[e.start:e.start+e.length-1], true
			continue
		}
		if e.start >= len(data) {
			p.add(DefectRepaired, "field %s starts at %d, beyond the data; dropped", e.tag, e.start)
			continue
		}
		end := min(e.start+e.length, len(data))
		c := data[e.start:end]
		if i := bytes.IndexByte(c, fieldTerminator); i >= 0 {
			c = c[:i]
		}
		p.add(DefectRepaired, "field %s: directory length %d does not match its field terminator", e.tag, e.length)
		e.content, e.hasContent = c, true
	}
}

func validIndicator(c byte) bool {
	return c == ' ' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z'
}

// ValidSubfieldCode reports whether c may be a subfield code: a printable
// ASCII character other than blank (MARC 21 uses [0-9a-z]; MARCXML allows
// more).
func ValidSubfieldCode(c byte) bool { return c > 0x20 && c < 0x7F }

// splitField splits a field's raw bytes into indicators and subfields.
func splitField(tag string, c []byte, p *problems) rawField {
	f := rawField{tag: tag}
	if IsControlTag(tag) {
		f.value = c
		return f
	}
	inds := [2]byte{' ', ' '}
	i := 0
	for k := 0; k < 2; k++ {
		if i >= len(c) || c[i] == subfieldDelimiter {
			p.add(DefectRepaired, "field %s: indicator %d missing", tag, k+1)
			continue
		}
		if validIndicator(c[i]) {
			inds[k] = c[i]
			i++
			continue
		}
		p.add(DefectRepaired, "field %s: invalid indicator %q replaced by blank", tag, c[i])
		if c[i] >= 0x80 {
			_, size := utf8.DecodeRune(c[i:])
			i += size
		} else {
			i++
		}
	}
	f.ind1, f.ind2 = inds[0], inds[1]
	rest := c[i:]
	first := bytes.IndexByte(rest, subfieldDelimiter)
	orphan := rest
	if first >= 0 {
		orphan = rest[:first]
		rest = rest[first+1:]
	} else {
		rest = nil
	}
	if len(orphan) > 0 {
		t := bytes.TrimSpace(orphan)
		if len(t) == 0 || len(t) == 1 && !isAlnum(t[0]) {
			p.add(DefectRepaired, "field %s: dropped stray %q before the first subfield", tag, orphan)
		} else {
			p.add(DefectRepaired, "field %s: text before the first subfield delimiter kept as $a", tag)
			f.subs = append(f.subs, rawSub{code: 'a', value: orphan})
		}
	}
	if first < 0 {
		return f
	}
	for {
		piece := rest
		j := bytes.IndexByte(rest, subfieldDelimiter)
		if j >= 0 {
			piece, rest = rest[:j], rest[j+1:]
		}
		switch {
		case len(piece) == 0:
			p.add(DefectRepaired, "field %s: empty subfield dropped", tag)
		case ValidSubfieldCode(piece[0]):
			f.subs = append(f.subs, rawSub{code: piece[0], value: piece[1:]})
		case len(f.subs) > 0:
			p.add(DefectRepaired, "field %s: invalid subfield code %q; its text joins the previous subfield", tag, piece[0])
			last := &f.subs[len(f.subs)-1]
			v := make([]byte, 0, len(last.value)+len(piece))
			last.value = append(append(v, last.value...), piece...)
		default:
			p.add(DefectRepaired, "field %s: invalid subfield code %q; its text kept as $a", tag, piece[0])
			f.subs = append(f.subs, rawSub{code: 'a', value: piece})
		}
		if j < 0 {
			return f
		}
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// textMode is how one record's bytes become text.
type textMode int

const (
	modeUTF8       textMode = iota // valid UTF-8 (or ASCII)
	modeUTF8Repair                 // invalid UTF-8, bad bytes become U+FFFD
	modeDoubleUTF8                 // UTF-8 encoded twice
	modeMARC8
	modeLatin1
)

// chooseMode decides the record's character set from leader/09 and the
// bytes of its data area.
func (r *Reader) chooseMode(leader09 byte, data []byte, p *problems) textMode {
	switch r.cfg.encoding {
	case EncodingUTF8:
		if utf8.Valid(data) {
			return r.checkDouble(data, p)
		}
		p.add(DefectEncoding, "invalid UTF-8 replaced by U+FFFD")
		return modeUTF8Repair
	case EncodingMARC8:
		return modeMARC8
	case EncodingLatin1:
		return modeLatin1
	}
	high := false
	for _, c := range data {
		if c >= 0x80 {
			high = true
			break
		}
	}
	esc := bytes.IndexByte(data, 0x1B) >= 0
	valid := utf8.Valid(data)
	switch leader09 {
	case 'a':
		if valid {
			return r.checkDouble(data, p)
		}
		if r.cleanMARC8(data) {
			p.add(DefectEncoding, "leader/09 says UTF-8 but the data is MARC-8")
			return modeMARC8
		}
		p.add(DefectEncoding, "leader/09 says UTF-8 but the data is not valid UTF-8; bad bytes replaced by U+FFFD")
		return modeUTF8Repair
	case ' ':
		if high && valid && !esc {
			p.add(DefectEncoding, "leader/09 says MARC-8 but the data is UTF-8")
			return r.checkDouble(data, p)
		}
		return modeMARC8
	}
	p.add(DefectEncoding, "leader/09 %q is not a MARC 21 value", leader09)
	if high && valid && !esc {
		return r.checkDouble(data, p)
	}
	return modeMARC8
}

// checkDouble detects UTF-8 that was encoded twice (each byte of the real
// UTF-8 taken as a Latin-1 character and encoded again).
func (r *Reader) checkDouble(data []byte, p *problems) textMode {
	r.scr = r.scr[:0]
	multi := false
	for i := 0; i < len(data); {
		c, size := utf8.DecodeRune(data[i:])
		if c > 0xFF {
			return modeUTF8
		}
		if c >= 0x80 {
			multi = true
		}
		r.scr = append(r.scr, byte(c))
		i += size
	}
	if !multi || !utf8.Valid(r.scr) {
		return modeUTF8
	}
	p.add(DefectEncoding, "double-encoded UTF-8 repaired")
	return modeDoubleUTF8
}

// cleanMARC8 reports whether data decodes as MARC-8 without a problem.
func (r *Reader) cleanMARC8(data []byte) bool {
	d := newMARC8Decoder()
	for _, field := range bytes.Split(data, []byte{fieldTerminator}) {
		d.reset()
		for _, v := range bytes.Split(field, []byte{subfieldDelimiter}) {
			r.scr = d.decode(r.scr[:0], v)
		}
	}
	return d.clean()
}

// decodeFields converts the raw fields to text in rec.Fields.
func (r *Reader) decodeFields(rec *Record, leader []byte, fields []rawField, data []byte, p *problems) {
	mode := r.chooseMode(leader[9], data, p)
	d := r.dec
	d.clearProblems()
	var controls, replacements int
	text := func(b []byte) string {
		var s string
		switch mode {
		case modeUTF8:
			s = string(b)
		case modeUTF8Repair:
			s = strings.ToValidUTF8(string(b), "\uFFFD")
		case modeDoubleUTF8:
			r.scr = r.scr[:0]
			for _, c := range string(b) {
				r.scr = append(r.scr, byte(c))
			}
			s = strings.ToValidUTF8(string(r.scr), "\uFFFD")
		case modeMARC8:
			r.scr = d.decode(r.scr[:0], b)
			s = string(r.scr)
		case modeLatin1:
			r.scr = r.scr[:0]
			for _, c := range b {
				r.scr = utf8.AppendRune(r.scr, rune(c))
			}
			s = string(r.scr)
		}
		if mode == modeUTF8 || mode == modeDoubleUTF8 {
			replacements += strings.Count(s, "\uFFFD")
		}
		s, n := stripControls(s)
		controls += n
		return norm.NFC.String(s)
	}
	for i, rf := range fields {
		d.reset()
		f := &rec.Fields[i]
		f.Tag = rf.tag
		if IsControlTag(rf.tag) {
			f.Value = text(rf.value)
			continue
		}
		f.Ind1, f.Ind2 = rf.ind1, rf.ind2
		f.Subfields = make([]Subfield, len(rf.subs))
		for j, s := range rf.subs {
			f.Subfields[j] = Subfield{Code: s.code, Value: text(s.value)}
		}
	}
	if mode == modeMARC8 {
		for _, s := range d.problems() {
			p.add(DefectEncoding, "%s", s)
		}
	}
	if replacements > 0 {
		p.add(DefectEncoding, "%d U+FFFD replacement character(s) in the data (damaged by an earlier conversion)", replacements)
	}
	if controls > 0 {
		p.add(DefectRepaired, "removed %d control character(s) from field values", controls)
	}
}

// stripControls removes C0 control characters and DEL, which have no place
// in field values (and none in XML).
func stripControls(s string) (string, int) {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7F {
			n++
		}
	}
	if n == 0 {
		return s, 0
	}
	b := make([]byte, 0, len(s)-n)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x20 && c != 0x7F {
			b = append(b, c)
		}
	}
	return string(b), n
}
