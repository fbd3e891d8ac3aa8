package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/bibgate/bibgate/search"
)

// indexInfo is one index as bibgate search --indexes prints it.
type indexInfo struct {
	Name   string   `json:"name"`
	Bib1   []int    `json:"bib1_use"`
	CQL    []string `json:"cql"`
	Fields []string `json:"marc_fields"`
}

// printIndexes lists the catalogue's indexes: the one table that SRU
// explain, the Z39.50 attribute mapping and bibgate search all use.
func printIndexes(w io.Writer, asJSON bool) error {
	var infos []indexInfo
	for _, ix := range search.Indexes() {
		info := indexInfo{Name: ix.Name, Bib1: ix.Use, CQL: ix.CQL}
		for _, f := range ix.Fields {
			s := f.Tag
			switch {
			case f.Subfields != "":
				s += " $" + f.Subfields
			case f.End > 0:
				s += "/" + strconv.Itoa(f.Start) + "-" + strconv.Itoa(f.End-1)
			}
			info.Fields = append(info.Fields, s)
		}
		infos = append(infos, info)
	}
	if asJSON {
		return json.NewEncoder(w).Encode(infos)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INDEX\tBIB-1 USE\tCQL\tMARC")
	for _, in := range infos {
		use := make([]string, len(in.Bib1))
		for i, u := range in.Bib1 {
			use[i] = strconv.Itoa(u)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.Name, strings.Join(use, ","), strings.Join(in.CQL, ","), strings.Join(in.Fields, " "))
	}
	return tw.Flush()
}
