// Command importdata writes the inputs of the import benchmark
// (bench/import.sh): a MARC file with Koha 952 copies added to every record
// of a generated catalogue, and a patron CSV.
//
//	importdata -copies 3 -in cat.mrc -o cat952.mrc
//	importdata -patrons 100000 -pin hash -o patrons.csv
//
// -pin hash gives every patron one bcrypt hash (cost 8, as Koha stores
// them) from the old system; -pin clear gives each a PIN in clear, which
// the import hashes with Argon2id.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"golang.org/x/crypto/bcrypt"

	"github.com/bibgate/bibgate/marc"
)

func main() {
	in := flag.String("in", "", "MARC file to add copies to")
	out := flag.String("o", "", "output file")
	copies := flag.Int("copies", 3, "952 copies per record")
	patrons := flag.Int("patrons", 0, "write a patron CSV with this many lines instead")
	pin := flag.String("pin", "hash", "patron PINs: hash (bcrypt from the old system) or clear")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if *patrons > 0 {
		err = writePatrons(w, *patrons, *pin)
	} else {
		err = addCopies(w, *in, *copies)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		log.Fatal(err)
	}
}

var branches = []string{"CPL", "CPL", "SUB", "BEB", "DVI", "EGL", "PIL", "SED", "PAS"}

func addCopies(w io.Writer, in string, per int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	rd := marc.NewReader(bufio.NewReaderSize(f, 1<<20))
	n, c := 0, 0
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if rec == nil {
			return err
		}
		n++
		for k := 0; k < per; k++ {
			c++
			b := branches[(n+k)%len(branches)]
			rec.Fields = append(rec.Fields, marc.Field{Tag: "952", Ind1: ' ', Ind2: ' ', Subfields: []marc.Subfield{
				{Code: 'a', Value: b}, {Code: 'b', Value: b}, {Code: 'd', Value: fmt.Sprintf("20%02d-%02d-%02d", n%25, 1+n%12, 1+n%28)},
				{Code: 'g', Value: fmt.Sprintf("%d.%02d", 5+n%30, n%100)}, {Code: 'i', Value: fmt.Sprintf("INV-%07d", c)},
				{Code: 'o', Value: fmt.Sprintf("821.174 %d", n%500)}, {Code: 'p', Value: fmt.Sprintf("K%08d", c)},
				{Code: 'y', Value: "BK"}}})
		}
		raw, err := marc.Marshal(rec)
		if err != nil {
			return err
		}
		if _, err := w.Write(raw); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "%d records, %d copies\n", n, c)
	return nil
}

func writePatrons(w io.Writer, n int, pin string) error {
	hash := ""
	if pin == "hash" {
		h, err := bcrypt.GenerateFromPassword([]byte("4711"), 8)
		if err != nil {
			return err
		}
		hash = "$2a$" + string(h[4:])
	}
	libs := []string{"ILU", "ILU", "SUB", "BEB", "DVI", "EGL", "PIL", "SED", "PAS"}
	fmt.Fprintln(w, "card,first_name,last_name,birth_date,email,phone,home_library,category,resident,identity_confirmed,pin,pin_hash")
	for i := 0; i < n; i++ {
		p := ""
		if hash == "" {
			p = fmt.Sprintf("%04d", i%10000)
		}
		if _, err := fmt.Fprintf(w, "L%07d,Līga,Kalniņa %d,19%02d-%02d-%02d,liga%d@example.org,+371 2%07d,%s,adult,yes,yes,%s,%s\n",
			i, i, 40+i%60, 1+i%12, 1+i%28, i, i, libs[i%len(libs)], p, hash); err != nil {
			return err
		}
	}
	return nil
}
