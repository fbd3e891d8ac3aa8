// Package store defines the transactional storage contract every bibgate
// backend implements: an ordered key-value space of named buckets with
// serializable read-write transactions.
//
// The architecture sketch had one typed Tx method per domain object. This
// package departs from it on purpose: the core encodes its own records and
// the store only keeps ordered bytes. That keeps every backend (in-memory,
// bbolt, PostgreSQL and its wire-compatible cousins) small enough to be proved
// by one test battery (store/storetest), and keeps domain types out of the
// storage layer so that a new record kind needs no change to any backend.
package store

import (
	"context"
	"errors"
)

// Store runs transactions.
type Store interface {
	// Update runs fn in a read-write transaction and makes its writes durable
	// before returning nil. fn MAY RUN MORE THAN ONCE (batched commits,
	// serialization retries) and must have no effect outside tx. If fn returns
	// an error, none of its writes are kept and Update returns that error
	// unchanged (so callers can match it with errors.Is / errors.As).
	// If fn panics, none of its writes are kept either and the panic goes
	// on in the caller's goroutine with the same value. If ctx is done
	// before fn runs, Update returns ctx.Err() and writes nothing.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction that sees a consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Close waits for in-flight transactions and releases the store.
	Close() error
}

// Tx is one transaction's view of the key space. Buckets spring into being on
// first Put; reading a bucket that was never written finds nothing.
//
// A value returned by Get or passed to a Scan callback is valid only until fn
// returns and must not be modified; decode or copy it.
type Tx interface {
	// Get returns the value stored under key, and whether there was one.
	Get(bucket, key string) ([]byte, bool, error)
	// Put stores value under key, replacing what was there.
	Put(bucket, key string, value []byte) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(bucket, key string) error
	// Scan calls fn for every key that starts with prefix, in ascending byte
	// order. fn returning ErrStopScan ends the scan early with a nil error;
	// any other error ends it and is returned. fn must not write to tx.
	Scan(bucket, prefix string, fn func(key string, value []byte) error) error
	// ScanFrom is Scan starting at the first key >= from (within prefix):
	// a long walk resumes where the previous transaction stopped.
	ScanFrom(bucket, prefix, from string, fn func(key string, value []byte) error) error
	// NextSequence returns the next value of the bucket's counter, starting
	// at 1. It is part of the transaction: a rolled-back transaction does not
	// consume numbers that a committed one can observe twice. Precisely:
	// numbers seen by committed transactions are unique and increase in
	// commit order; a number seen only by a transaction that did not commit
	// may be handed out again or skipped.
	NextSequence(bucket string) (uint64, error)
}

// UniqueIDs is implemented by a Tx that can hand out numbers from a
// bucket's counter without holding the counter until the transaction ends:
// numbers unique among everything NextSequence and UniqueID of that bucket
// ever return, but neither gap-free (a rolled-back transaction loses its
// number) nor in commit order. It is for ids that need only be unique (a
// loan's): on a database shared by many processes a transactional counter
// is one row every such transaction updates, and they queue on it.
type UniqueIDs interface {
	UniqueID(bucket string) (uint64, error)
}

// ErrStopScan, returned from a Scan callback, ends the scan without error.
var ErrStopScan = errors.New("store: stop scan")

// ErrReadOnly is returned by writes inside View.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// ErrClosed is returned by Update and View after Close.
var ErrClosed = errors.New("store: closed")
