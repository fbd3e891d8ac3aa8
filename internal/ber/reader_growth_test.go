package ber

import (
	"bytes"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
)

// Values of every size class arrive whole however the stream is cut up.
func TestReaderValueSizes(t *testing.T) {
	for _, size := range []int{0, 1, 127, 128, 511, 512, 513, 4096, 70000, 1<<20 - 16} {
		content := make([]byte, size)
		for i := range content {
			content[i] = byte(i * 7)
		}
		enc := Marshal(NewPrimitive(Universal, TagOctetString, content))
		readers := map[string]func(io.Reader) io.Reader{
			"whole":    func(r io.Reader) io.Reader { return r },
			"one byte": iotest.OneByteReader,
			"halves":   iotest.HalfReader,
		}
		for name, wrap := range readers {
			got, err := NewReader(wrap(bytes.NewReader(enc)), Limits{MaxSize: 2 << 20}).ReadRaw()
			if err != nil || !bytes.Equal(got, enc) {
				t.Errorf("%d bytes read %s: %v, %d bytes back", size, name, err, len(got))
			}
		}
	}
}

// A value that claims a large length costs memory only for what arrives.
func TestReaderClaimedLengthNotPreallocated(t *testing.T) {
	// Claims 1 MiB - 16 bytes, sends 10, ends.
	stream := append([]byte{0x04, 0x83, 0x0f, 0xff, 0xf0}, make([]byte, 10)...)
	const runs = 50
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		if _, err := NewReader(bytes.NewReader(stream), Limits{MaxSize: 1 << 20}).ReadRaw(); err != io.ErrUnexpectedEOF {
			t.Fatalf("cut value: %v", err)
		}
	}
	runtime.ReadMemStats(&after)
	// The bufio.Reader of NewReader is 4 KiB; the value's buffer must add
	// little to it.
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 8<<10 {
		t.Errorf("a 15-byte stream claiming 1 MiB allocated %d KiB per read", per>>10)
	}
}
