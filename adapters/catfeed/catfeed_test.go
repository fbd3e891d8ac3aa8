package catfeed_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bibgate/bibgate/adapters/catfeed"
	"github.com/bibgate/bibgate/catalog"
	"github.com/bibgate/bibgate/internal/gencat"
	"github.com/bibgate/bibgate/marc"
	"github.com/bibgate/bibgate/search"
	"github.com/bibgate/bibgate/store/pgstore"
)

const defaultDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

func testDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv("BIBGATE_TEST_POSTGRES")
	if dsn == "" {
		dsn = defaultDSN
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Skipf("PostgreSQL is not reachable (set BIBGATE_TEST_POSTGRES to a test database): %v", err)
	}
	_ = conn.Close(ctx)
	return dsn
}

// newSchema returns a fresh schema name, dropped when the test ends.
func newSchema(t *testing.T, dsn string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "bibgate_catfeed_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	return name
}

// node is one gateway's view: its own connection pool and its own index.
type node struct {
	st   *pgstore.Store
	feed catfeed.Feed
	cat  *catalog.Catalogue
}

func openFeed(tb testing.TB, dsn, schema string) (*pgstore.Store, catfeed.Feed) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := pgstore.Open(ctx, dsn, pgstore.Options{Schema: schema})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := st.Catalogue(ctx)
	if err != nil {
		st.Close()
		tb.Fatal(err)
	}
	return st, catfeed.Feed{C: c}
}

// openNode opens a node on schema with its index at path; run starts its
// follower, stopped at the end of the test.
func openNode(t *testing.T, dsn, schema, path string, opts catalog.FollowOptions, run bool) *node {
	t.Helper()
	st, feed := openFeed(t, dsn, schema)
	cat, _, err := catalog.OpenFollowing(t.Context(), path, nil, feed, opts)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	n := &node{st: st, feed: feed, cat: cat}
	if run {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = cat.Follower().Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	t.Cleanup(func() { cat.Close(); st.Close() })
	return n
}

func generated(t testing.TB, n int, seed int64) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gencat.Generate(&b, n, seed, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func records(t testing.TB, c *catalog.Catalogue) int64 {
	t.Helper()
	st, err := c.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Records
}

func found(t testing.TB, c *catalog.Catalogue, index, text string) int {
	t.Helper()
	res, err := c.Search(context.Background(), &search.Term{Index: index, Text: text})
	if err != nil {
		t.Fatal(err)
	}
	return res.Count
}

// TestImportOnOneNodeSearchableOnTheOther: an import returns once its own
// node has indexed it; the other node finds the records promptly through
// the notification.
func TestImportOnOneNodeSearchableOnTheOther(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	dir := t.TempDir()
	a := openNode(t, dsn, schema, filepath.Join(dir, "a.db"), catalog.FollowOptions{Poll: time.Hour}, true)
	b := openNode(t, dsn, schema, filepath.Join(dir, "b.db"), catalog.FollowOptions{Poll: time.Hour}, true)
	rep, err := a.cat.Import(t.Context(), bytes.NewReader(generated(t, 300, 1)), catalog.ImportOptions{Batch: 100})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 300 || rep.Replaced != 0 {
		t.Errorf("report %+v", rep)
	}
	if n := records(t, a.cat); n != 300 {
		t.Errorf("importing node holds %d records as the import returns, want 300", n)
	}
	// The poll interval is an hour: only the notification can bring it.
	deadline := time.Now().Add(2 * time.Second)
	for (records(t, b.cat) != 300 || b.cat.Follower().Status().Behind() != 0) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := records(t, b.cat); n != 300 {
		t.Fatalf("other node holds %d records 2 s after the import, want 300", n)
	}
	if got := found(t, b.cat, "local", "bg000000123"); got != 1 {
		t.Errorf("other node: record bg000000123 found %d times", got)
	}
	st := b.cat.Follower().Status()
	if st.Behind() != 0 || st.Lag != 0 || st.Building {
		t.Errorf("caught-up status %+v", st)
	}
	// Again, over the same keys: replaced in place on both nodes.
	rep, err = b.cat.Import(t.Context(), bytes.NewReader(generated(t, 300, 1)), catalog.ImportOptions{Batch: 100})
	if err != nil || rep.Replaced != 300 {
		t.Fatalf("re-import: %+v, %v", rep, err)
	}
	if n := records(t, a.cat); n != 300 {
		t.Errorf("after re-import node a holds %d", n)
	}
}

// TestNodeStartingEmptyBuildsFromTheFeed: a node with an empty index
// reports building until it holds every record, with progress per batch,
// and a node whose index lags catches up after a restart without a
// notification (the poll).
func TestNodeStartingEmptyBuildsFromTheFeed(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	dir := t.TempDir()
	a := openNode(t, dsn, schema, filepath.Join(dir, "a.db"), catalog.FollowOptions{}, true)
	if _, err := a.cat.Import(t.Context(), bytes.NewReader(generated(t, 600, 2)), catalog.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var progress []catalog.FollowStatus
	c := openNode(t, dsn, schema, filepath.Join(dir, "c.db"), catalog.FollowOptions{Batch: 250,
		Progress: func(st catalog.FollowStatus) { progress = append(progress, st) }}, false)
	st := c.cat.Follower().Status()
	if !st.Building || st.Head != 600 || st.Applied != 0 || st.Behind() != 600 {
		t.Errorf("before the first catch-up: %+v", st)
	}
	if err := c.cat.Follower().CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if len(progress) != 3 || progress[0].Applied != 250 || !progress[0].Building || progress[2].Applied != 600 {
		t.Errorf("progress %+v", progress)
	}
	if st := c.cat.Follower().Status(); st.Building || st.Behind() != 0 || records(t, c.cat) != 600 {
		t.Errorf("after catch-up: %+v, %d records", st, records(t, c.cat))
	}
	// A restart that missed changes: the index resumes from its mark.
	path := filepath.Join(dir, "d.db")
	d1 := openNode(t, dsn, schema, path, catalog.FollowOptions{}, false)
	if err := d1.cat.Follower().CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	d1.cat.Close()
	if _, err := a.cat.Import(t.Context(), bytes.NewReader(generated(t, 650, 2)), catalog.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	d2 := openNode(t, dsn, schema, path, catalog.FollowOptions{Poll: 50 * time.Millisecond}, false)
	st = d2.cat.Follower().Status()
	if st.Building || st.Applied != 600 || st.Behind() != 650 {
		t.Errorf("reopened behind: %+v", st)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	go func() { _ = d2.cat.Follower().Run(ctx) }()
	if err := d2.cat.Follower().WaitFor(ctx, 1250); err != nil {
		t.Fatal(err)
	}
	if n := records(t, d2.cat); n != 650 {
		t.Errorf("reopened node holds %d records, want 650", n)
	}
	cancel()
}

// TestDeleteAndReplaceFollowed: a deleted record leaves every index, a
// replaced one is found by its new title only.
func TestDeleteAndReplaceFollowed(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	dir := t.TempDir()
	a := openNode(t, dsn, schema, filepath.Join(dir, "a.db"), catalog.FollowOptions{}, false)
	b := openNode(t, dsn, schema, filepath.Join(dir, "b.db"), catalog.FollowOptions{}, false)
	ctx := t.Context()
	mk := func(key, title string) catalog.FeedRecord {
		raw, err := marc.Marshal(&marc.Record{Leader: "00000nam a2200000 a 4500", Fields: []marc.Field{
			{Tag: "001", Value: key},
			{Tag: "245", Ind1: '1', Ind2: '0', Subfields: []marc.Subfield{{Code: 'a', Value: title}}},
		}})
		if err != nil {
			t.Fatal(err)
		}
		return catalog.FeedRecord{Key: key, Raw: raw}
	}
	if _, _, err := a.feed.Write(ctx, []catalog.FeedRecord{mk("k1", "Mēness ceļš"), mk("k2", "Saules dziesma")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.feed.Write(ctx, []catalog.FeedRecord{mk("k1", "Zvaigžņu ceļš"), {Key: "k2", Deleted: true}}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*node{a, b} {
		if err := n.cat.Follower().CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		if records(t, n.cat) != 1 || found(t, n.cat, "title", "mēness") != 0 || found(t, n.cat, "title", "zvaigžņu") != 1 ||
			found(t, n.cat, "title", "saules") != 0 {
			t.Errorf("after replace and delete: %d records, mēness %d, zvaigžņu %d, saules %d", records(t, n.cat),
				found(t, n.cat, "title", "mēness"), found(t, n.cat, "title", "zvaigžņu"), found(t, n.cat, "title", "saules"))
		}
	}
}

// TestIndexOfAnotherFeedRebuilt: an index built from another schema's
// feed is moved aside and built again; a catalogue of its own from before
// (no feed) gives its records to an empty feed.
func TestIndexOfAnotherFeedRebuilt(t *testing.T) {
	dsn := testDSN(t)
	dir := t.TempDir()
	ctx := t.Context()
	// A catalogue of its own, then opened on an empty shared catalogue.
	own, err := catalog.Open(filepath.Join(dir, "own.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := own.Import(ctx, bytes.NewReader(generated(t, 40, 3)), catalog.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	own.Close()
	s1 := newSchema(t, dsn)
	n := openNode(t, dsn, s1, filepath.Join(dir, "own.db"), catalog.FollowOptions{}, false)
	if err := n.cat.Follower().CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if has, _ := n.feed.HasRecords(ctx); !has || records(t, n.cat) != 40 {
		t.Errorf("own catalogue not given to the feed: feed has records %v, index %d", has, records(t, n.cat))
	}
	if _, err := os.Stat(filepath.Join(dir, "own.db.other-feed")); err != nil {
		t.Errorf("the old file is not kept aside: %v", err)
	}
	n.cat.Close()
	// The same file on another schema's feed: rebuilt from that one.
	s2 := newSchema(t, dsn)
	_, other := openFeed(t, dsn, s2)
	if _, _, err := other.Write(ctx, []catalog.FeedRecord{{Key: "x", Raw: generated(t, 1, 9)}}); err != nil {
		t.Fatal(err)
	}
	m := openNode(t, dsn, s2, filepath.Join(dir, "own.db"), catalog.FollowOptions{}, false)
	if err := m.cat.Follower().CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := records(t, m.cat); got != 1 {
		t.Errorf("index on the other feed holds %d records, want 1", got)
	}
}

// TestFollowerKilledMidBatch: a follower process is killed (SIGKILL) while
// building its index in batches; reopened, it resumes from what its index
// committed, and after further changes the index equals the feed exactly:
// nothing skipped, nothing counted twice.
func TestFollowerKilledMidBatch(t *testing.T) {
	if os.Getenv("CATFEED_CHILD_PATH") != "" {
		childFollow()
		return
	}
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	dir := t.TempDir()
	ctx := t.Context()
	_, feed := openFeed(t, dsn, schema)
	// 3000 records, written to the feed.
	var all []catalog.FeedRecord
	rd := marc.NewReader(bytes.NewReader(generated(t, 3000, 4)))
	for {
		rec, err := rd.Next()
		if err != nil {
			break
		}
		raw, err := marc.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, catalog.FeedRecord{Key: rec.ControlNumber(), Raw: raw})
	}
	if len(all) != 3000 {
		t.Fatalf("generated %d records", len(all))
	}
	for i := 0; i < len(all); i += 1000 {
		if _, _, err := feed.Write(ctx, all[i:min(i+1000, len(all))]); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "node.db")
	exe, _ := os.Executable()
	cmd := exec.Command(exe, "-test.run=^TestFollowerKilledMidBatch$")
	cmd.Env = append(os.Environ(), "CATFEED_CHILD_PATH="+path, "CATFEED_CHILD_DSN="+dsn, "CATFEED_CHILD_SCHEMA="+schema)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var lastSeen int64
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "applied "); ok {
			lastSeen, _ = strconv.ParseInt(v, 10, 64)
			if lastSeen >= 750 {
				break
			}
		}
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if lastSeen < 750 {
		t.Fatalf("the follower process reported no progress (last %d)", lastSeen)
	}
	// Changes meanwhile: replace some applied records, delete others, and
	// some not yet applied.
	changes := []catalog.FeedRecord{{Key: all[10].Key, Deleted: true}, {Key: all[2500].Key, Deleted: true},
		{Key: all[20].Key, Raw: all[21].Raw}, {Key: all[2600].Key, Raw: all[2601].Raw}}
	if _, _, err := feed.Write(ctx, changes); err != nil {
		t.Fatal(err)
	}
	n := openNode(t, dsn, schema, path, catalog.FollowOptions{Batch: 250}, false)
	st := n.cat.Follower().Status()
	if st.Applied < lastSeen || st.Applied >= 3000 || !st.Building {
		t.Errorf("after the kill the index is at change %d (building %v, want still building); the process had reported %d", st.Applied, st.Building, lastSeen)
	}
	if got := records(t, n.cat); got != st.Applied {
		t.Errorf("index holds %d records at change %d: each change up to there is one new record", got, st.Applied)
	}
	if err := n.cat.Follower().CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if n.cat.Follower().Status().Building {
		t.Error("still building after catching up")
	}
	// The index must now equal the feed.
	want := map[string][]byte{}
	rows, err := feed.Changes(ctx, 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if !r.Deleted {
			want[r.Key] = r.Raw
		}
	}
	if len(want) != 2998 {
		t.Fatalf("feed holds %d live records, want 2998", len(want))
	}
	res, err := n.cat.Search(ctx, &search.All{})
	if err != nil {
		t.Fatal(err)
	}
	gotKeys, _ := n.cat.Keys(ctx, res.IDs)
	gotRaws, _ := n.cat.Records(ctx, res.IDs)
	if len(gotKeys) != len(want) || records(t, n.cat) != int64(len(want)) {
		t.Errorf("index holds %d records (counter %d), feed %d", len(gotKeys), records(t, n.cat), len(want))
	}
	for i, k := range gotKeys {
		if w, ok := want[k]; !ok {
			t.Errorf("index holds %s, which the feed does not", k)
		} else if !bytes.Equal(w, gotRaws[i]) {
			t.Errorf("index holds another version of %s than the feed", k)
		}
	}
}

// childFollow is the follower process of TestFollowerKilledMidBatch.
func childFollow() {
	ctx := context.Background()
	st, err := pgstore.Open(ctx, os.Getenv("CATFEED_CHILD_DSN"), pgstore.Options{Schema: os.Getenv("CATFEED_CHILD_SCHEMA")})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	c, err := st.Catalogue(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	cat, _, err := catalog.OpenFollowing(ctx, os.Getenv("CATFEED_CHILD_PATH"), nil, catfeed.Feed{C: c}, catalog.FollowOptions{
		Batch:    250,
		Progress: func(s catalog.FollowStatus) { fmt.Printf("applied %d\n", s.Applied) },
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := cat.Follower().CatchUp(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// Reached only if the parent was too slow to kill it: keep still.
	time.Sleep(time.Minute)
	os.Exit(0)
}

// TestCorruptIndexRebuilt: an index file bbolt cannot read is moved aside
// and built again from the feed.
func TestCorruptIndexRebuilt(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	dir := t.TempDir()
	ctx := t.Context()
	_, feed := openFeed(t, dsn, schema)
	if _, _, err := feed.Write(ctx, []catalog.FeedRecord{{Key: "bg000000001", Raw: generated(t, 1, 5)}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "catalogue.db")
	if err := os.WriteFile(path, bytes.Repeat([]byte("not a database "), 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := catalog.Open(path, nil); err == nil {
		t.Fatal("the damaged file opens as a catalogue: the test damages nothing")
	}
	n := openNode(t, dsn, schema, path, catalog.FollowOptions{}, false)
	if err := n.cat.Follower().CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := records(t, n.cat); got != 1 {
		t.Errorf("rebuilt index holds %d records, want 1", got)
	}
	if _, err := os.Stat(path + ".corrupt"); err != nil {
		t.Errorf("damaged file not kept aside: %v", err)
	}
}
