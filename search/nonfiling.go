package search

import "github.com/bibgate/bibgate/marc"

// NonFiling returns the number of non-filing characters at the start of a
// title field ("The " of "The pragmatic programmer" under 245 second
// indicator 4): the first indicator of 130, 630, 730 and 740, the second
// of 222, 240, 242, 243, 245, 440 and 830; 0 for other fields or a blank or
// zero indicator. First-in-field searches, complete-field searches,
// headings (and so scan) and the title sort key skip them.
func NonFiling(f *marc.Field) int {
	var ind byte
	switch f.Tag {
	case "130", "630", "730", "740":
		ind = f.Ind1
	case "222", "240", "242", "243", "245", "440", "830":
		ind = f.Ind2
	default:
		return 0
	}
	if ind >= '1' && ind <= '9' {
		return int(ind - '0')
	}
	return 0
}

// filingWords returns the words of a field's first subfield v (whose words
// are toks) without its first nf characters, when that leaves some words
// and fewer than toks: an indicator that cuts into a word, or into every
// word, is not taken to mean anything.
func filingWords(v string, nf int, toks []string) ([]string, bool) {
	rest := Tokens(skipRunes(v, nf))
	if len(rest) == 0 || len(rest) >= len(toks) {
		return toks, false
	}
	return rest, true
}
