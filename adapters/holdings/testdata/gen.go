//go:build ignore

// gen writes the holdings fixtures of this directory: go run gen.go
package main

import (
	"os"

	"github.com/bibgate/bibgate/marc"
)

func sf(pairs ...string) []marc.Subfield {
	var out []marc.Subfield
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, marc.Subfield{Code: pairs[i][0], Value: pairs[i+1]})
	}
	return out
}

func rec(id, title, author string, fields ...marc.Field) marc.Record {
	fs := []marc.Field{{Tag: "001", Value: id}, {Tag: "008", Value: "190304s2019    lv            000 1 lav d"}}
	if author != "" {
		fs = append(fs, marc.Field{Tag: "100", Ind1: '1', Ind2: ' ', Subfields: sf("a", author)})
	}
	fs = append(fs, marc.Field{Tag: "245", Ind1: '1', Ind2: '0', Subfields: sf("a", title)})
	fs = append(fs, fields...)
	return marc.Record{Leader: "00000nam a2200000 a 4500", Fields: fs}
}

func df(tag string, subs ...string) marc.Field {
	return marc.Field{Tag: tag, Ind1: ' ', Ind2: ' ', Subfields: sf(subs...)}
}

func write(name string, recs ...marc.Record) {
	f, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	for i := range recs {
		b, err := marc.Marshal(&recs[i])
		if err != nil {
			panic(err)
		}
		f.Write(b)
	}
}

func main() {
	// Koha 952 as Koha's MARC export writes it: $a home branch, $b holding
	// branch, $o call number, $p barcode, $y item type, $v replacement
	// price, $g purchase price, $7 not for loan, $1 lost, $0 withdrawn,
	// $d acquisition date, $i inventory number, $c shelving location.
	write("koha-952.mrc",
		rec("koha-1", "Zaļā zeme", "Upīts, Andrejs",
			df("952", "a", "CPL", "b", "CPL", "c", "GEN", "d", "2019-03-04", "g", "12.00", "i", "INV-2019-0001", "o", "821.174 Up 1", "p", "K0000001", "v", "14.50", "y", "BK"),
			df("952", "a", "CPL", "b", "SUB", "d", "2020-01-15", "g", "12,00", "i", "INV-2020-0017", "o", "821.174 Up 1", "p", "K0000002", "y", "BK")),
		rec("koha-2", "Latvju dainas", "Barons, Krišjānis",
			df("952", "a", "CPL", "b", "CPL", "o", "398.8 Ba", "p", "K0000003", "y", "REF", "7", "1", "v", "30.00"),
			df("952", "a", "XYZ", "b", "XYZ", "o", "398.8 Ba", "p", "K0000004", "y", "BK"),
			df("952", "a", "CPL", "b", "CPL", "o", "398.8 Ba", "p", "K0000005", "y", "DVD")),
		rec("koha-3", "Mērnieku laiki", "Kaudzīte, Reinis",
			df("952", "a", "CPL", "b", "CPL", "o", "821.174 Ka", "p", "K0000006", "y", "BK", "1", "1", "v", "9.90"),
			df("952", "a", "CPL", "b", "CPL", "o", "821.174 Ka", "i", "INV-1999-0400", "y", "BK")),
	)
	// MARC 21 852 location with linked 876 item information ($8 link and
	// sequence): 876 $p barcode, $a internal item number, $c cost, $d date
	// acquired; an 852 with its own $p and no 876 is one copy.
	write("marc21-852-876.mrc",
		rec("m21-1", "Dzeja", "Rainis",
			df("852", "8", "1", "a", "ILU", "b", "ILU", "h", "821.174 Ra"),
			df("876", "8", "1.1", "a", "A-100", "p", "M0000001", "c", "9.99", "d", "20190304"),
			df("876", "8", "1.2", "a", "A-101", "p", "M0000002", "c", "9.99"),
			df("852", "8", "2", "a", "ILU", "b", "SUB", "h", "821.174 Ra"),
			df("876", "8", "2.1", "p", "M0000003")),
		rec("m21-2", "Baltā grāmata", "Jaunsudrabiņš, Jānis",
			df("852", "a", "ILU", "b", "ILU", "h", "821.174 Ja", "p", "M0000004")),
	)
}
