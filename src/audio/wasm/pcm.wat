;; PCM decoding kernels (see src/audio/pcm-wasm.ts).
;;
;; pcm24x2: n frames of 24-bit little-endian stereo PCM (6 bytes a frame: L0 L1 L2 R0 R1 R2)
;; from `src` into the f32 arrays at `dstL` and `dstR`. Each sample is built in the top 24 bits
;; of an i32 (its low byte 0), converted to f32 (exact: 24 significant bits) and scaled by
;; 2^-31 (exact), so it equals the JavaScript decoders' (x << 8) / 2^31 bit for bit. Four frames
;; per step: bytes 0…15 and 12…27 as two vectors; in each, one byte swizzle puts the samples of
;; its two frames (L, L, R, R) into bytes 1…3 of the i32 lanes with byte 0 cleared, then the
;; L halves and the R halves of the two are paired. The step reads up to 4 bytes past the 24 it
;; decodes: the caller leaves 16 bytes of room after the input.

(module
  (import "env" "memory" (memory 1))

  (func (export "pcm24x2") (param $src i32) (param $n i32) (param $dstL i32) (param $dstR i32)
    (local $a v128) (local $b v128) (local $end i32)
    (local.set $end (i32.add (local.get $src) (i32.mul (i32.and (local.get $n) (i32.const -4)) (i32.const 6))))
    (block $vectors
      (br_if $vectors (i32.ge_u (local.get $src) (local.get $end)))
      (loop $four
        ;; Frames 0, 1 (bytes 0…11) and 2, 3 (bytes 12…23): per vector, the samples L, L, R, R
        ;; in the top bytes of the i32 lanes (index 128 gives a zero byte), then L and R halves paired.
        (local.set $a
          (i8x16.swizzle (v128.load (local.get $src))
            (v128.const i8x16 128 0 1 2 128 6 7 8 128 3 4 5 128 9 10 11)))
        (local.set $b
          (i8x16.swizzle (v128.load offset=12 (local.get $src))
            (v128.const i8x16 128 0 1 2 128 6 7 8 128 3 4 5 128 9 10 11)))
        (v128.store (local.get $dstL)
          (f32x4.mul
            (f32x4.convert_i32x4_s
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b)))
            (v128.const f32x4 0x1p-31 0x1p-31 0x1p-31 0x1p-31)))
        (v128.store (local.get $dstR)
          (f32x4.mul
            (f32x4.convert_i32x4_s
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b)))
            (v128.const f32x4 0x1p-31 0x1p-31 0x1p-31 0x1p-31)))
        (local.set $src (i32.add (local.get $src) (i32.const 24)))
        (local.set $dstL (i32.add (local.get $dstL) (i32.const 16)))
        (local.set $dstR (i32.add (local.get $dstR) (i32.const 16)))
        (br_if $four (i32.lt_u (local.get $src) (local.get $end)))))
    ;; The last n mod 4 frames one by one: bytes L0 L1 L2 R0 as an i32 shifted left by 8, and
    ;; bytes L2 R0 R1 R2 with the low byte cleared.
    (local.set $end (i32.add (local.get $end) (i32.mul (i32.and (local.get $n) (i32.const 3)) (i32.const 6))))
    (block $done
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (loop $one
        (f32.store (local.get $dstL)
          (f32.mul (f32.convert_i32_s (i32.shl (i32.load (local.get $src)) (i32.const 8))) (f32.const 0x1p-31)))
        (f32.store (local.get $dstR)
          (f32.mul (f32.convert_i32_s (i32.and (i32.load offset=2 (local.get $src)) (i32.const -256))) (f32.const 0x1p-31)))
        (local.set $src (i32.add (local.get $src) (i32.const 6)))
        (local.set $dstL (i32.add (local.get $dstL) (i32.const 4)))
        (local.set $dstR (i32.add (local.get $dstR) (i32.const 4)))
        (br_if $one (i32.lt_u (local.get $src) (local.get $end))))))
)
