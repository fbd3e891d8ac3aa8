package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCIInstallsWhatTestsUse: .ci/run installs a Debian package for every
// command a test looks up, and each package's line names tests that exist,
// so the list neither misses a tool nor keeps one no test uses.
func TestCIInstallsWhatTestsUse(t *testing.T) {
	root := filepath.Join("..", "..")
	script, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(script), "<<'EOF'\n")
	table, _, ok2 := strings.Cut(table, "\nEOF\n")
	if !ok || !ok2 {
		t.Fatal(".ci/run has no tools table (<<'EOF' ... EOF)")
	}
	installed := map[string]string{} // command -> package
	type ref struct{ pkg, dir, test string }
	var refs []ref
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Errorf(".ci/run: line %q lacks package, commands or tests", line)
			continue
		}
		for _, c := range strings.Split(f[1], ",") {
			installed[c] = f[0]
		}
		named := map[string]bool{} // dir:test as written, once a line
		for _, pt := range f[2:] {
			dir, tests, ok := strings.Cut(pt, ":")
			if !ok {
				t.Errorf(".ci/run: %q is not dir:Test,...", pt)
				continue
			}
			for _, name := range strings.Split(tests, ",") {
				if named[dir+":"+name] {
					t.Errorf(".ci/run: the %s line names %s:%s twice", f[0], dir, name)
				}
				named[dir+":"+name] = true
				name, _, _ = strings.Cut(name, "(")
				refs = append(refs, ref{f[0], dir, name})
			}
		}
	}

	lookPath := regexp.MustCompile(`exec\.LookPath\("([^"]+)"\)`)
	testFunc := regexp.MustCompile(`(?m)^func (Test\w+)\(`)
	funcs := map[string][]string{} // dir -> test functions
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, m := range testFunc.FindAllStringSubmatch(string(src), -1) {
			funcs[filepath.ToSlash(rel)] = append(funcs[filepath.ToSlash(rel)], m[1])
		}
		for _, m := range lookPath.FindAllStringSubmatch(string(src), -1) {
			if _, ok := installed[m[1]]; !ok {
				t.Errorf("%s looks up %s, which .ci/run does not install", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range refs {
		found := false
		for _, fn := range funcs[r.dir] {
			if fn == r.test || (strings.HasSuffix(r.test, "*") && strings.HasPrefix(fn, strings.TrimSuffix(r.test, "*"))) {
				found = true
			}
		}
		if !found {
			t.Errorf(".ci/run installs %s for %s:%s, which does not exist", r.pkg, r.dir, r.test)
		}
	}
}
