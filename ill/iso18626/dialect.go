package iso18626

// Dialect is one peer's way of bending ISO 18626, as a small named shim
// applied by Reader.Parse after reading and by Writer.Marshal before
// writing, so that the engine sees one model whoever the peer is.
type Dialect struct {
	Name string
	// Version is the edition the peer speaks; Writer uses it when asked for
	// none.
	Version Version
	// VersionAttr is the version attribute the peer expects, "" for
	// Version.String().
	VersionAttr string
	// Read adjusts a message just read (before validation).
	Read func(m *Message)
	// Write adjusts a message about to be written. It gets a shallow copy of
	// the caller's Message and must copy any struct it changes.
	Write func(m *Message)
}

// Markers are in-band signals a peer carries in a note, read out of it by
// the peer's dialect (and written back into it for that peer).
type Markers struct {
	// Seq and LastSeq number a peer's messages so that loss and
	// reordering show; -1 when absent.
	Seq, LastSeq int
	// Flags are marker names without value, in order, such as
	// "ReShareAddLoanCondition".
	Flags []string
	// Updated are field updates the peer announces: field name → value.
	Updated map[string]string
}
