package boltindex

import (
	"encoding/binary"
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// A posting chunk holds the ids of one term that share their high 16 bits,
// so updating one record rewrites at most one chunk of each of its terms.
// Its value is the low 16 bits either as a sorted little-endian uint16
// array (up to arrayMax ids) or, for more, as a 65,536-bit little-endian
// bitmap followed by one marker byte (bitmapBytes+1 long). These are the
// container layouts of the portable roaring format, so a chunk becomes a
// roaring bitmap by prefixing a 16-byte header, without decoding.
const (
	arrayMax     = 4096
	bitmapBytes  = 8192
	bitmapMarker = 'B'
)

func isBitmap(v []byte) bool { return len(v) == bitmapBytes+1 }

func chunkOf(id uint32) uint16 { return uint16(id >> 16) }

// decodeChunk appends the low halves stored in v to dst.
func decodeChunk(dst []uint16, v []byte) []uint16 {
	if isBitmap(v) {
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
	if len(lows) > arrayMax {
		out := make([]byte, bitmapBytes+1)
		for _, l := range lows {
			out[l>>3] |= 1 << (l & 7)
		}
		out[bitmapBytes] = bitmapMarker
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
	if isBitmap(v) {
		n := 0
		for w := 0; w < bitmapBytes/8; w++ {
			n += bits.OnesCount64(binary.LittleEndian.Uint64(v[w*8:]))
		}
		return n
	}
	return len(v) / 2
}

// chunkBitmap returns the ids of chunk hi stored in v as a roaring bitmap
// that owns its memory (v may be released afterwards).
func chunkBitmap(hi uint16, v []byte) *roaring.Bitmap {
	data := v
	if isBitmap(v) {
		data = v[:bitmapBytes]
	}
	card := chunkCount(v)
	bm := roaring.New()
	if card == 0 {
		return bm
	}
	const header = 16
	buf := make([]byte, header+len(data))
	binary.LittleEndian.PutUint32(buf[0:], 12346) // portable format, no run containers
	binary.LittleEndian.PutUint32(buf[4:], 1)     // one container
	binary.LittleEndian.PutUint16(buf[8:], hi)
	binary.LittleEndian.PutUint16(buf[10:], uint16(card-1))
	binary.LittleEndian.PutUint32(buf[12:], header)
	copy(buf[header:], data)
	if _, err := bm.FromBuffer(buf); err != nil {
		// Not reachable for values written by encodeChunk; fall back.
		bm = roaring.New()
		for _, l := range decodeChunk(nil, v) {
			bm.Add(uint32(hi)<<16 | uint32(l))
		}
	}
	return bm
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
