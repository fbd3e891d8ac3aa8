package marc

// marc8Set is one MARC-8 graphic character set, indexed by the 7-bit code
// (the set may be invoked into G0, 0x21-0x7E, or G1, 0xA1-0xFE).
type marc8Set struct {
	name      string
	chars     [128]rune // 0: not defined; marc8Drop: defined, no Unicode equivalent
	combining [128]bool // combining marks, written before their base in MARC-8
}

// marc8Drop marks a code that is defined but maps to nothing: the second
// halves of the ligature and double tilde, whose Unicode form is one
// combining mark carried by the first half.
const marc8Drop rune = -1
