package store

import "context"

// BucketLister is implemented by stores that can name every bucket holding
// at least one key: backups, consistency checks and privacy audits walk
// the whole key space with it and Scan. It is optional: code that needs it
// asserts it and says so when a store lacks it.
type BucketLister interface {
	// Buckets returns the names of the buckets with at least one key, in
	// ascending order, as committed at the time of the call.
	Buckets(ctx context.Context) ([]string, error)
}
