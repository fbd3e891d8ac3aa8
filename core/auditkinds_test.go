package core_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestAuditObjectKindsDocumented: every kind of object the core writes to
// the audit log (the literal prefix of the object argument of each audit
// and auditFor call: "patron/", "ill/", "stocktake/" …) is listed in the
// doc comment of AuditEntry.Object, which is what readers of the log and
// of the admin API's audit query go by.
func TestAuditObjectKindsDocumented(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	written := map[string][]string{}
	var doc string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.TypeSpec:
				if st, ok := n.Type.(*ast.StructType); ok && n.Name.Name == "AuditEntry" {
					for _, fl := range st.Fields.List {
						if len(fl.Names) == 1 && fl.Names[0].Name == "Object" {
							doc = fl.Doc.Text()
						}
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "audit" && sel.Sel.Name != "auditFor" {
					return true
				}
				at := 3
				if sel.Sel.Name == "auditFor" {
					at = 4
				}
				if len(n.Args) <= at {
					return true
				}
				if kind := literalPrefix(n.Args[at]); kind != "" {
					written[kind] = append(written[kind], fset.Position(n.Pos()).String())
				}
			}
			return true
		})
	}
	if doc == "" {
		t.Fatal("no doc comment on AuditEntry.Object")
	}
	if len(written) < 10 {
		t.Fatalf("found only %d object kinds in the audit calls: %v", len(written), written)
	}
	var kinds []string
	for k := range written {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		if !strings.Contains(doc, `"`+k) {
			t.Errorf("object kind %q (written at %s) is not in AuditEntry.Object's doc comment:\n%s", k, written[k][0], doc)
		}
	}
}

// literalPrefix is the kind ("ill/") an object argument starts with: a
// string literal or a literal followed by +.
func literalPrefix(e ast.Expr) string {
	for {
		b, ok := e.(*ast.BinaryExpr)
		if !ok || b.Op != token.ADD {
			break
		}
		e = b.X
	}
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return ""
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil {
		return ""
	}
	if i := strings.Index(s, "/"); i >= 0 {
		return s[:i+1]
	}
	return s
}
