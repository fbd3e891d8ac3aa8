package mailtest

import (
	"fmt"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TestStart starts the mail system, relays a message to ill-b through
// the loopback relay and another through submission with STARTTLS and
// AUTH, reads both from ill-b's INBOX over IMAP with STARTTLS, and checks
// that nothing is left running afterwards.
func TestStart(t *testing.T) {
	var pids []int
	t.Run("run", func(t *testing.T) {
		start := time.Now()
		s := Start(t, Options{}, "ill-a", "ill-b")
		t.Logf("started in %v", time.Since(start).Round(time.Millisecond))
		pids = []int{s.postfx.Process.Pid, s.dovect.Process.Pid, s.masterPID()}
		if pids[2] == 0 {
			t.Fatal("no Postfix master pid")
		}

		msg := func(id string) []byte {
			return []byte("From: ill-a@bibgate.test\r\nTo: ill-b@bibgate.test\r\nSubject: " + id +
				"\r\nMessage-ID: <" + id + "@bibgate.test>\r\n\r\nHello " + id + "\r\n")
		}
		// The relay, in plain text although it offers STARTTLS.
		rc, err := smtp.Dial(s.SMTPAddr)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := rc.Extension("STARTTLS"); !ok {
			t.Error("relay does not offer STARTTLS")
		}
		if err := rc.Mail(s.Address("ill-a")); err != nil {
			t.Fatal(err)
		}
		if err := rc.Rcpt(s.Address("ill-b")); err != nil {
			t.Fatal(err)
		}
		if err := rc.Rcpt("nobody@elsewhere.example"); err == nil {
			t.Error("relay accepted a recipient outside " + Domain)
		}
		rw, err := rc.Data()
		if err != nil {
			t.Fatal(err)
		}
		rw.Write(msg("relayed"))
		if err := rw.Close(); err != nil {
			t.Fatal(err)
		}
		rc.Quit()

		tc := s.TLSConfig()
		tc.ServerName = "127.0.0.1"
		submission := func(password string) (*smtp.Client, error) {
			c, err := smtp.Dial(s.SubmissionAddr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			if err := c.Mail(s.Address("ill-a")); err == nil {
				t.Error("submission accepted MAIL before STARTTLS and AUTH")
			}
			if err := c.StartTLS(tc); err != nil {
				t.Fatalf("STARTTLS: %v", err)
			}
			return c, c.Auth(smtp.PlainAuth("", "ill-a", password, "127.0.0.1"))
		}
		if _, err := submission("wrong"); err == nil {
			t.Error("AUTH with a wrong password accepted")
		}
		c, err := submission(s.Password("ill-a"))
		if err != nil {
			t.Fatalf("AUTH: %v", err)
		}
		if err := c.Mail(s.Address("ill-a")); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt(s.Address("ill-b")); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		w.Write(msg("submitted"))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		c.Quit()

		ic, err := imapclient.DialStartTLS(s.IMAPAddr, &imapclient.Options{TLSConfig: tc})
		if err != nil {
			t.Fatal(err)
		}
		defer ic.Close()
		if err := ic.Login("ill-b", s.Password("ill-b")).Wait(); err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			if _, err := ic.Select("INBOX", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			msgs, err := ic.Fetch(imap.SeqSetNum(1, 2), &imap.FetchOptions{Envelope: true}).Collect()
			if err != nil {
				t.Fatal(err)
			}
			subjects = subjects[:0]
			for _, m := range msgs {
				subjects = append(subjects, m.Envelope.Subject)
			}
			if len(subjects) == 2 {
				break
			}
		}
		if got := strings.Join(subjects, ","); got != "relayed,submitted" && got != "submitted,relayed" {
			t.Fatalf("ill-b's INBOX holds %q", got)
		}
		ic.Logout().Wait()
	})
	if left := leftovers(pids); len(left) > 0 {
		t.Errorf("still running after the test: %v", left)
	}
}

// leftovers lists the live processes in the process groups or sessions
// of pids (the daemons and the children they forked), zombies aside.
func leftovers(pids []int) []string {
	in := map[int]bool{}
	for _, p := range pids {
		in[p] = true
	}
	var left []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp session ...
		i := strings.LastIndexByte(string(b), ')')
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 4 || f[0] == "Z" {
			continue
		}
		pgrp, _ := strconv.Atoi(f[2])
		sid, _ := strconv.Atoi(f[3])
		if in[pid] || in[pgrp] || in[sid] {
			left = append(left, string(b[:i+1]))
		}
	}
	return left
}

// TestNothingOutlivesACrash runs Start in a child test process that dies
// without cleaning up (as on a test timeout); the daemons go with it.
func TestNothingOutlivesACrash(t *testing.T) {
	if os.Getenv("MAILTEST_CRASH_CHILD") != "" {
		s := Start(t, Options{}, "ill-a")
		fmt.Printf("pids %d %d %d %s\n", s.postfx.Process.Pid, s.dovect.Process.Pid, s.masterPID(), s.Dir)
		os.Stdout.Sync()
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	Start(t, Options{}, "ill-a") // skips here, not in the child, when the tools are missing
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestNothingOutlivesACrash$", "-test.v")
	cmd.Env = append(os.Environ(), "MAILTEST_CRASH_CHILD=1")
	out, _ := cmd.CombinedOutput()
	var a, b, c int
	var dir string
	for _, l := range strings.Split(string(out), "\n") {
		if _, err := fmt.Sscanf(l, "pids %d %d %d %s", &a, &b, &c, &dir); err == nil {
			break
		}
	}
	if strings.HasPrefix(filepath.Base(dir), "mailtest") {
		t.Cleanup(func() { os.RemoveAll(dir) }) // the child died before removing it
	}
	if a == 0 || b == 0 || c == 0 {
		t.Fatalf("child did not start the mail system:\n%s", out)
	}
	var left []string
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if left = leftovers([]int{a, b, c}); len(left) == 0 {
			return
		}
	}
	for _, p := range []int{a, b, c} {
		syscall.Kill(-p, syscall.SIGKILL)
	}
	t.Fatalf("still running 10 s after the test process died: %v", left)
}
