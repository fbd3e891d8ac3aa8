package memstore

import (
	"slices"
	"sort"
)

// blockMax bounds the keys held by one block of an index. Inserting into a
// block shifts at most blockMax keys, so building a large bucket in random
// order stays cheap without a full tree.
const blockMax = 512

// index keeps a bucket's keys in ascending byte order as a list of sorted,
// non-empty blocks whose ranges do not overlap.
type index struct {
	blocks [][]string
}

// seek returns the position of the first key >= k; i == len(x.blocks) when
// there is none.
func (x *index) seek(k string) (i, j int) {
	i = sort.Search(len(x.blocks), func(i int) bool {
		b := x.blocks[i]
		return b[len(b)-1] >= k
	})
	if i < len(x.blocks) {
		j = sort.SearchStrings(x.blocks[i], k)
	}
	return i, j
}

// insert adds k, which must not be present.
func (x *index) insert(k string) {
	if len(x.blocks) == 0 {
		x.blocks = append(x.blocks, []string{k})
		return
	}
	i, j := x.seek(k)
	if i == len(x.blocks) {
		i = len(x.blocks) - 1
		j = len(x.blocks[i])
	}
	b := slices.Insert(x.blocks[i], j, k)
	if len(b) <= blockMax {
		x.blocks[i] = b
		return
	}
	half := len(b) / 2
	right := append(make([]string, 0, blockMax), b[half:]...)
	clear(b[half:])
	x.blocks[i] = b[:half]
	x.blocks = slices.Insert(x.blocks, i+1, right)
}

// remove deletes k, which must be present.
func (x *index) remove(k string) {
	i, j := x.seek(k)
	if i == len(x.blocks) || x.blocks[i][j] != k {
		panic("memstore: index out of step with values")
	}
	b := slices.Delete(x.blocks[i], j, j+1)
	if len(b) > 0 {
		x.blocks[i] = b
		return
	}
	x.blocks = slices.Delete(x.blocks, i, i+1)
}

// ascend calls fn for every key >= from in order until fn returns false.
func (x *index) ascend(from string, fn func(k string) bool) {
	i, j := x.seek(from)
	for ; i < len(x.blocks); i, j = i+1, 0 {
		for _, k := range x.blocks[i][j:] {
			if !fn(k) {
				return
			}
		}
	}
}
