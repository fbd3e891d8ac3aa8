// Package logbuf is a buffered log writer: log lines are collected in
// memory and written out in large writes when the buffer fills or a short
// interval passes, instead of one write system call per line. Each Write is
// kept whole, so a line is never split between two writes.
package logbuf

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// Writer buffers writes to an underlying writer.
type Writer struct {
	mu   sync.Mutex
	bw   *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// New returns a Writer that flushes to w at least every interval.
func New(w io.Writer, size int, interval time.Duration) *Writer {
	b := &Writer{bw: bufio.NewWriterSize(w, size), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flusher(interval)
	return b
}

// Write buffers p (one log line).
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bw.Available() < len(p) {
		if err := b.bw.Flush(); err != nil {
			return 0, err
		}
	}
	return b.bw.Write(p)
}

// Flush writes out what is buffered.
func (b *Writer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.bw.Flush()
}

func (b *Writer) flusher(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			_ = b.Flush()
		case <-b.stop:
			return
		}
	}
}

// Close stops the flusher and writes out what is buffered.
func (b *Writer) Close() error {
	close(b.stop)
	<-b.done
	return b.Flush()
}
