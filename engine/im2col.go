package engine

import "unsafe"

// Padded-row im2col: each input row a chunk needs is copied once into a
// row buffer with pad pixels on both sides, so every window of every
// output pixel (borders included) is one contiguous copy of kw*cin values
// and a whole output row (all kh taps) is one assembly call, without
// per-pixel branches or fills.

// padRowPixels is the width in pixels of a padded input row: pl pad
// pixels, the w input pixels, then pad up to the last window's end.
func padRowPixels(g *geom) int {
	return max(g.pl+g.w, (g.wo-1)*g.sw+g.kw)
}

// im2colBufLen is the length of the row buffer im2colPadded needs: kh
// input-row slots plus one all-pad row. 0 when the geometry has dilated
// columns (windows are not contiguous; the plain im2col handles those).
func im2colBufLen(g *geom) int {
	if g.dw != 1 || g.pl < 0 {
		return 0
	}
	// The slack covers the whole-block reads of im2colRowAsm.
	return (g.kh+1)*padRowPixels(g)*g.cin + 64
}

// im2colPadded is im2col using buf (im2colBufLen(g) values) for the
// padded rows; it falls back to im2col when buf is too short.
func im2colPadded[T float32 | uint16 | uint8](asm bool, dst, src, buf []T, g *geom, r0, r1 int, pad T) {
	need := im2colBufLen(g)
	if need == 0 || len(buf) < need {
		im2col(asm, dst, src, g, r0, r1, pad)
		return
	}
	cin, kh := g.cin, g.kh
	K := kh * g.kw * cin
	rowLen := g.kw * cin
	padW := padRowPixels(g) * cin
	img := g.h * g.w * cin
	hw := g.ho * g.wo
	// Slot ky%kh holds input row tag[slot] (n*h+iy); the last slot is all pad.
	var tags [8]int
	useTags := kh <= len(tags)
	for i := range tags {
		tags[i] = -1
	}
	padRow := buf[kh*padW : (kh+1)*padW]
	padFilled := false
	// With undilated rows the kh rows of an output row are consecutive
	// input rows, so distinct slots: one assembly call does all taps.
	whole := asm && g.dh == 1 && kh <= len(tags) && rowLen > 0
	var offs [8]int
	sz := int(unsafe.Sizeof(buf[0]))
	for r := r0; r < r1; {
		n, p := r/hw, r%hw
		oy, ox0 := p/g.wo, p%g.wo
		count := min(g.wo, ox0+(r1-r)) - ox0
		d := dst[(r-r0)*K : (r-r0+count)*K]
		for ky := 0; ky < kh; ky++ {
			iy := oy*g.sh - g.pt + ky*g.dh
			off := kh * padW // the pad row
			if iy < 0 || iy >= g.h {
				if !padFilled {
					fill(padRow, pad)
					padFilled = true
				}
			} else {
				slot := iy % kh
				off = slot * padW
				row := buf[off : off+padW]
				tag := n*g.h + iy
				if !useTags || tags[slot] != tag {
					// Pad, the input row, pad; a slot used before in this
					// call keeps its pads.
					if !useTags || tags[slot] == -1 {
						fillSmall(row[:g.pl*cin], pad)
						fillSmall(row[(g.pl+g.w)*cin:], pad)
					}
					copy(row[g.pl*cin:], src[n*img+iy*g.w*cin:][:g.w*cin])
					if useTags {
						tags[slot] = tag
					}
				}
			}
			off += ox0 * g.sw * cin
			if whole {
				// The last window of this row, with the assembly's whole-block
				// reads, checked here so the assembly cannot stray.
				_ = buf[off+(count-1)*g.sw*cin+(rowLen*sz+63)/64*64/sz-1]
				offs[ky] = off * sz
				continue
			}
			copyWindows(asm, d[ky*rowLen:], buf[off:], count, K, g.sw*cin, rowLen)
		}
		if whole {
			// The input rows the next output row adds (contiguous in
			// NHWC), fetched while this one is copied: the input is
			// usually in L3, written by the previous layer.
			lo := (oy+1)*g.sh - g.pt + kh - min(g.sh, kh)
			hi := min(g.h, lo+min(g.sh, kh))
			if lo = max(lo, 0); oy+1 < g.ho && lo < hi {
				rows := src[n*img+lo*g.w*cin : n*img+hi*g.w*cin]
				prefetchAsm((*byte)(unsafe.Pointer(&rows[0])), len(rows)*sz)
			}
			im2colRowAsm((*byte)(unsafe.Pointer(&d[0])), (*byte)(unsafe.Pointer(&buf[0])), &offs[0], kh, count, g.sw*cin*sz, rowLen*sz)
		}
		r += count
	}
}

// fillSmall sets the few values of s to v.
func fillSmall[T float32 | uint16 | uint8](s []T, v T) {
	for i := range s {
		s[i] = v
	}
}
