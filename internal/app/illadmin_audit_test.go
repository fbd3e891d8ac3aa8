package app

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bibgate/bibgate/core"
	"github.com/bibgate/bibgate/core/demo"
	"github.com/bibgate/bibgate/internal/config"
)

// TestILLAdminAPIAudited: a request filed and an action taken through the
// admin API with the admin token are in the audit log as the console's
// are, from the admin token and the client's address; an action the state
// does not allow is refused (409) as before and in no entry.
func TestILLAdminAPIAudited(t *testing.T) {
	a := startApp(t, func(c *config.Config) {
		c.Admin.Token = testToken
		c.ILL.Symbol = "LV:ILU"
		c.ILL.Partners = []config.ILLPartner{{}}
		c.ILL.Partners[0].Symbol = "EE:TARTU"
	})
	base := "http://" + a.Addr("admin").String()
	post := func(path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := post("/ill/requests", `{"patron":"`+demo.PatronGood+`","partner":"EE:TARTU","item":{"title":"Kalevipoeg"}}`)
	if code != 200 {
		t.Fatalf("POST /ill/requests: %d %s", code, body)
	}
	xs, err := a.Service().ILLList(context.Background())
	if err != nil || len(xs) != 1 {
		t.Fatalf("transactions %v %v", xs, err)
	}
	id := xs[0].ID
	if code, body := post("/ill/transactions/"+id+"/ship", ""); code != http.StatusConflict {
		t.Errorf("ship our own request: %d %s, want 409", code, body)
	}
	if code, body := post("/ill/transactions/"+id+"/message", `{"note":"urgent, please"}`); code != 200 {
		t.Fatalf("message: %d %s", code, body)
	}

	ctx := context.Background()
	if _, err := a.Service().AddStaff(ctx, nil, core.NewStaff{ID: "root", Library: demo.Central, Name: "Root", Roles: []core.Role{core.RoleConsortiumAdmin},
		Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	es, err := a.Service().QueryAudit(ctx, core.Actor{StaffID: "root"}, core.AuditQuery{Object: "ill/" + id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.Action+" "+e.Actor+"|"+e.From)
	}
	want := []string{"ill_request |admin-token 127.0.0.1", "ill_message |admin-token 127.0.0.1"}
	if !slices.Equal(got, want) {
		t.Errorf("audit %q, want %q", got, want)
	}
}
