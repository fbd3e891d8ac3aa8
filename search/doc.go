// Package search holds what every bibgate search back end shares: the query
// tree that Z39.50 Type-1, CQL and the admin API are translated into; the
// one table of indexes (MARC fields, Bib-1 use attributes, CQL index names,
// normaliser); text normalisation (NFC, case fold, a diacritic-folded key
// beside the exact one); extraction of a record's index and sort keys; and
// term planning, which turns a Term and its six Bib-1 attributes into key
// range reads plus an optional field check that any index implementation
// can execute (search/boltindex is the default one).
//
// Keys and folding. A term is stored as TermKey(term): its diacritic fold,
// then 0x01 and the exact form when they differ. Keys therefore sort by
// folded form, every spelling of a word sits together, a query without
// diacritics ("berzins") reads them all, and a query with diacritics
// ("Bērziņš") keeps only the exact spelling.
//
// Phrases. Text indexes with Headings file, besides words, the first word
// of each field, every pair of adjacent words and each whole field. A
// two-word phrase is one pair read; longer phrases, first-in-subfield and
// complete-subfield searches, and phrases in the "any" index (which keeps
// no pairs, to keep imports fast) are checked against the record's stored
// fields. Word positions are not stored: this keeps postings to plain id
// sets, which is what makes chunked roaring postings cheap to update.
// Proximity (Prox: Z39.50 @prox, CQL prox) is answered the same way: the
// records holding every term are read, and the word positions counted in
// their stored fields.
//
// The architecture sketch names the scan result []search.Term; here Term is
// the query leaf and a scan entry is a ScanTerm.
package search
