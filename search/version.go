package search

// KeysVersion numbers what Extract files a record under: the index table,
// normalisation, folding and key kinds. An index built under another
// version answers some queries wrongly, so a back end that stores keys
// records the version and rebuilds (or refuses) an index of another one.
// Raise it with every change that alters a key of some record.
//
//	1  the first format (no version stored)
//	2  romanisation marks U+02B9-U+02BF folded out, dotless ı kept
//	3  $t of 6XX/7XX/8XX name/title entries in the title index; indexes of
//	   their own for personal, corporate and conference names, series and
//	   uniform titles
//	4  first words and whole fields (headings) without the non-filing
//	   characters of title fields
const KeysVersion = 4
