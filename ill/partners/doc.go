// Package partners looks up who holds a title in the partner libraries'
// catalogues before an interlibrary loan request is sent: it queries every
// configured target (Z39.50 or SRU) in parallel, each within its own
// timeout, by ISBN, ISSN, title and author, or local number; reads the
// holdings from the OPAC record syntax where the target offers it, else
// from MARC 852/952 holdings fields; and ranks the candidate suppliers by
// the partners' rules (lends this type, not reading-room only, available
// now, nearest, cheapest, fewest in queue). It knows nothing of the
// circulation core: the caller passes the partners' settings in.
package partners
