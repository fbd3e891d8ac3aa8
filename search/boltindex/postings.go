package boltindex

import (
	"encoding/binary"
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// A posting chunk holds the ids of one term that share their high 16 bits,
// so updating one record rewrites at most one chunk of each of its terms.
// Its value is the low 16 bits either as a sorted little-endian uint16
// array (fewer than arrayMax ids) or as a 65,536-bit bitmap (exactly
// bitmapBytes long).
const (
	arrayMax    = 4096
	bitmapBytes = 8192
)

func chunkOf(id uint32) uint16 { return uint16(id >> 16) }

// decodeChunk appends the low halves stored in v to dst.
func decodeChunk(dst []uint16, v []byte) []uint16 {
	if len(v) == bitmapBytes {
		for w := 0; w < bitmapBytes/8; w++ {
			word := binary.LittleEndian.Uint64(v[w*8:])
			for word != 0 {
				t := bits.TrailingZeros64(word)
				dst = append(dst, uint16(w*64+t))
				word &= word - 1
			}
		}
		return dst
	}
	for i := 0; i+1 < len(v); i += 2 {
		dst = append(dst, binary.LittleEndian.Uint16(v[i:]))
	}
	return dst
}

// encodeChunk encodes sorted, distinct low halves.
func encodeChunk(dst []byte, lows []uint16) []byte {
	if len(lows) >= arrayMax {
		out := make([]byte, bitmapBytes)
		for _, l := range lows {
			out[l>>3] |= 1 << (l & 7)
		}
		return out
	}
	dst = dst[:0]
	for _, l := range lows {
		dst = binary.LittleEndian.AppendUint16(dst, l)
	}
	return dst
}

// chunkCount returns the number of ids in a chunk value.
func chunkCount(v []byte) int {
	if len(v) == bitmapBytes {
		n := 0
		for w := 0; w < bitmapBytes/8; w++ {
			n += bits.OnesCount64(binary.LittleEndian.Uint64(v[w*8:]))
		}
		return n
	}
	return len(v) / 2
}

// addChunk adds the ids of chunk hi stored in v to bm; scratch is reused.
func addChunk(bm *roaring.Bitmap, hi uint16, v []byte, scratch []uint32) []uint32 {
	base := uint32(hi) << 16
	scratch = scratch[:0]
	if len(v) == bitmapBytes {
		for w := 0; w < bitmapBytes/8; w++ {
			word := binary.LittleEndian.Uint64(v[w*8:])
			for word != 0 {
				t := bits.TrailingZeros64(word)
				scratch = append(scratch, base|uint32(w*64+t))
				word &= word - 1
			}
		}
	} else {
		for i := 0; i+1 < len(v); i += 2 {
			scratch = append(scratch, base|uint32(binary.LittleEndian.Uint16(v[i:])))
		}
	}
	bm.AddMany(scratch)
	return scratch
}

// mergeLows returns (old ∪ add) \ del; all three sorted and distinct.
func mergeLows(dst, old, add, del []uint16) []uint16 {
	dst = dst[:0]
	i, j, k := 0, 0, 0
	for i < len(old) || j < len(add) {
		var v uint16
		switch {
		case j == len(add) || (i < len(old) && old[i] < add[j]):
			v = old[i]
			i++
		case i == len(old) || add[j] < old[i]:
			v = add[j]
			j++
		default:
			v = old[i]
			i++
			j++
		}
		for k < len(del) && del[k] < v {
			k++
		}
		if k < len(del) && del[k] == v {
			continue
		}
		dst = append(dst, v)
	}
	return dst
}
