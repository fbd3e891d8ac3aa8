package z3950adapter_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// sruGet sends one SRU request and returns the response body.
func sruGet(t *testing.T, base string, params url.Values) string {
	t.Helper()
	resp, err := http.Get(base + "?" + params.Encode())
	if err != nil {
		t.Fatalf("GET %s: %v", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("GET %s?%s: %s %s\n%s", base, params.Encode(), resp.Status, resp.Header.Get("Content-Type"), body)
	}
	return string(body)
}

func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func TestSRU(t *testing.T) {
	a := startApp(t, "memory", nil)
	ns := map[string]string{"1.1": `xmlns:zs="http://www.loc.gov/zing/srw/"`, "1.2": `xmlns:zs="http://www.loc.gov/zing/srw/"`,
		"2.0": `xmlns:zs="http://docs.oasis-open.org/ns/search-ws/sruResponse"`}
	scanNS := map[string]string{"1.1": ns["1.1"], "1.2": ns["1.2"], "2.0": `xmlns:zs="http://docs.oasis-open.org/ns/search-ws/scan"`}
	for _, listener := range []string{"z3950", "sru"} {
		base := "http://" + a.Addr(listener).String() + "/Default"
		port := a.Addr(listener).String()
		port = port[strings.LastIndexByte(port, ':')+1:]
		for _, version := range []string{"1.1", "1.2", "2.0"} {
			t.Run(listener+"/"+version, func(t *testing.T) {
				tests := []struct {
					name    string
					params  url.Values
					want    []string
					notWant []string
				}{
					{"searchRetrieve marcxml", q("operation", "searchRetrieve", "query", "dc.title=zeme"),
						[]string{ns[version], "<zs:numberOfRecords>1</zs:numberOfRecords>", "info:srw/schema/1/marcxml-v1.1",
							`<subfield code="a">Zaļā zeme</subfield>`, "<zs:recordPosition>1</zs:recordPosition>"},
						[]string{"diagnostic"}},
					{"searchRetrieve dc, paged", q("operation", "searchRetrieve", "query", "dc.publisher=jumava", "recordSchema", "dc",
						"maximumRecords", "1"),
						[]string{"<zs:numberOfRecords>2</zs:numberOfRecords>", "<dc:publisher>Rīga : Jumava</dc:publisher>",
							"<zs:nextRecordPosition>2</zs:nextRecordPosition>"}, nil},
					{"searchRetrieve sorted", q("operation", "searchRetrieve",
						"query", "dc.publisher=jumava sortBy dc.date/sort.descending", "recordSchema", "dc", "maximumRecords", "1"),
						[]string{"<dc:title>Dvēseļu putenis</dc:title>"}, []string{"Baltās grāmatas"}},
					{"searchRetrieve mods", q("operation", "searchRetrieve", "query", "bath.isbn=9789934077353", "recordSchema", "mods"),
						[]string{"<zs:numberOfRecords>1</zs:numberOfRecords>", "<title>Zaļā zeme</title>"}, nil},
					{"searchRetrieve count only", q("operation", "searchRetrieve", "query", "cql.allRecords=1", "maximumRecords", "0"),
						[]string{"<zs:numberOfRecords>47</zs:numberOfRecords>"}, []string{"<zs:records>"}},
					{"bare index name", q("operation", "searchRetrieve", "query", "title=kalevipoeg", "maximumRecords", "0"),
						[]string{"<zs:numberOfRecords>1</zs:numberOfRecords>"}, nil},
					{"unknown index", q("operation", "searchRetrieve", "query", "dc.foo=x"),
						[]string{"info:srw/diagnostic/1/16", "<zs:numberOfRecords>0</zs:numberOfRecords>"}, nil},
					{"syntax error", q("operation", "searchRetrieve", "query", "(dc.title="), []string{"info:srw/diagnostic/1/10"}, nil},
					{"unknown schema", q("operation", "searchRetrieve", "query", "zeme", "recordSchema", "nope"),
						[]string{"info:srw/diagnostic/1/66"}, nil},
					{"first record out of range", q("operation", "searchRetrieve", "query", "zeme", "startRecord", "999"),
						[]string{"info:srw/diagnostic/1/61"}, nil},
					{"scan", q("operation", "scan", "scanClause", "dc.title=kal", "maximumTerms", "3"),
						[]string{scanNS[version], "<zs:value>kalevipoeg</zs:value><zs:numberOfRecords>1</zs:numberOfRecords>",
							"<zs:value>komplekts</zs:value>"}, []string{"<zs:value>kursa</zs:value>"}},
					{"scan headings", q("operation", "scan", "scanClause", `dc.creator=="upīts"`, "maximumTerms", "2"),
						[]string{"<zs:value>upīts andrejs</zs:value>"}, nil},
					{"scan unknown index", q("operation", "scan", "scanClause", "dc.foo=x"), []string{"info:srw/diagnostic/1/16"}, nil},
					{"explain", q("operation", "explain"),
						[]string{"http://explain.z3950.org/dtd/2.0/", "<port>" + port + "</port>", "<database>Default</database>",
							`<index search="true" scan="true" sort="true"><title lang="en">title</title><map><name set="dc">title</name></map></index>`,
							`<name set="bath">isbn</name>`, `<name set="cql">serverChoice</name>`, `<name set="rec">id</name>`,
							`<index search="true" scan="true" sort="false"><title lang="en">subject</title><map><name set="dc">subject</name>`}, nil},
				}
				for _, tt := range tests {
					tt.params.Set("version", version)
					if version == "2.0" {
						tt.params.Del("operation") // inferred from the other parameters
					}
					body := sruGet(t, base, tt.params)
					for _, w := range tt.want {
						if !strings.Contains(body, w) {
							t.Errorf("%s: lacks %q:\n%s", tt.name, w, body)
						}
					}
					for _, w := range tt.notWant {
						if strings.Contains(body, w) {
							t.Errorf("%s: has %q:\n%s", tt.name, w, body)
						}
					}
				}
			})
		}
	}
	// SRU 1.1 sortKeys, POST, and an unsupported version.
	base := "http://" + a.Addr("sru").String() + "/Default"
	body := sruGet(t, base, q("version", "1.1", "operation", "searchRetrieve", "query", "dc.publisher=jumava",
		"sortKeys", "dc.date,,0", "recordSchema", "dc", "maximumRecords", "1"))
	wantAll(t, body, "<dc:title>Dvēseļu putenis</dc:title>")
	resp, err := http.PostForm(base, q("version", "1.2", "operation", "searchRetrieve", "query", "upits"))
	if err != nil {
		t.Fatal(err)
	}
	post, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	wantAll(t, string(post), "<zs:numberOfRecords>1</zs:numberOfRecords>", `<subfield code="a">Upīts, Andrejs</subfield>`)
	wantAll(t, sruGet(t, base, q("version", "3.0", "operation", "explain")), "info:srw/diagnostic/1/5")
	wantAll(t, sruGet(t, "http://"+a.Addr("sru").String()+"/Other", q("version", "1.2", "operation", "searchRetrieve", "query", "x")),
		"info:srw/diagnostic/1/235")
}
