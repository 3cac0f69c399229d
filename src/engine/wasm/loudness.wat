;; Loudness meter kernels (see src/engine/loudness-wasm.ts): K-weighting with the tick sums of
;; squares, and exact true-peak skipping with the interpolation of the points that remain, for
;; one pair of channels at a time in the two f64 lanes of a v128 (lane 0 = the first channel of
;; the pair, lane 1 = the second). Every lane performs the same IEEE double operations in the
;; same order as the JavaScript reference (src/engine/loudness.ts `filterSquare`,
;; src/engine/true-peak.ts `interp4` / `interp2`): no fused multiply-add, no reassociation, so
;; the results are bit-identical.
;;
;; Memory (imported, laid out by the host; all offsets in bytes):
;;   0    kc[7]    f64  pre-filter b0 b1 b2 a1 a2, then RLB a1 a2
;;   64   mid[16]  f64  half-sample phase (first half of a symmetric kernel)
;;   192  sum[16]  f64  quarter phases folded: (a + b) / 2
;;   320  diff[16] f64  quarter phases folded: (a − b) / 2
;;   448  tp       f64  largest interpolated point so far (all channels)
;;   456  sp       f64  largest |sample| so far (all channels)
;;   464  smooth   f64  the smoothness gain H of the skip bound
;;   472  factor   i32  oversampling factor (1, 2 or 4)
;; Per pair of channels, anywhere the host puts them:
;;   state    5 × v128: pre-filter s1 s2, RLB s1 s2, sum of squares of the open tick
;;   history 32 × v128: the last 32 input frames of the pair (oldest first), as f64
;;   input    2 × f32[n]: the frames to process, one array per channel
;; Scratch: halves (per 32 frames k: max |x| and max |second difference| as 2 × v128 at
;; halves + 32·(k + 1)), work (63 × v128: the frames of one run of windows), ticks (the sums of
;; the ticks completed, per tick and pair).

(module
  (import "env" "memory" (memory 1))

  (global $TP i32 (i32.const 448))
  (global $SP i32 (i32.const 456))
  (global $SMOOTH i32 (i32.const 464))
  (global $FACTOR i32 (i32.const 472))

  ;; max(m, x) as JavaScript's `if (x > m) m = x` keeps it: a NaN x never wins.
  (func $maxJs (param $m f64) (param $x f64) (result f64)
    (select (local.get $x) (local.get $m) (f64.gt (local.get $x) (local.get $m))))

  ;; Frame i of a pair (f32 inputs) as f64 lanes.
  (func $frame (param $inL i32) (param $inR i32) (param $i i32) (result v128)
    (f64x2.promote_low_f32x4
      (v128.load32_lane 1
        (i32.add (local.get $inR) (i32.shl (local.get $i) (i32.const 2)))
        (v128.load32_zero (i32.add (local.get $inL) (i32.shl (local.get $i) (i32.const 2)))))))

  ;; x + 1e-30 − 1e-30: `flushDenormal` of src/engine/block.ts.
  (func $flush (param $x v128) (result v128)
    (f64x2.sub (f64x2.add (local.get $x) (v128.const f64x2 1e-30 1e-30)) (v128.const f64x2 1e-30 1e-30)))

  ;; K-weight frames 0 … n − 1 of a pair and add their squares to the tick sums; the open tick
  ;; ends after `tickLeft` frames, then every `tickLen`. At the end of each tick its sums are
  ;; stored at ticks + k · stride (k = 0, 1 …) and the filter state is flushed (as the reference
  ;; does at the end of each call); after the last frame too if `flushEnd` is set and no tick
  ;; ended there. Also the max |x| and the max |second difference| of each 32 frames (NaN
  ;; ignored) into halves. Returns the number of ticks completed.
  (func (export "kweight")
    (param $st i32) (param $hist i32) (param $inL i32) (param $inR i32) (param $n i32)
    (param $tickLeft i32) (param $tickLen i32) (param $ticks i32) (param $stride i32)
    (param $halves i32) (param $flushEnd i32) (result i32)
    (local $p1 v128) (local $p2 v128) (local $r1 v128) (local $r2 v128) (local $acc v128)
    (local $a v128) (local $b v128) (local $m v128) (local $d v128)
    (local $v v128) (local $y v128) (local $z v128)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128) (local $k4 v128)
    (local $k5 v128) (local $k6 v128)
    (local $i i32) (local $seg i32) (local $tEnd i32) (local $hEnd i32) (local $done i32)
    (local.set $p1 (v128.load offset=0 (local.get $st)))
    (local.set $p2 (v128.load offset=16 (local.get $st)))
    (local.set $r1 (v128.load offset=32 (local.get $st)))
    (local.set $r2 (v128.load offset=48 (local.get $st)))
    (local.set $acc (v128.load offset=64 (local.get $st)))
    (local.set $a (v128.load offset=480 (local.get $hist)))
    (local.set $b (v128.load offset=496 (local.get $hist)))
    (local.set $k0 (v128.load64_splat offset=0 (i32.const 0)))
    (local.set $k1 (v128.load64_splat offset=8 (i32.const 0)))
    (local.set $k2 (v128.load64_splat offset=16 (i32.const 0)))
    (local.set $k3 (v128.load64_splat offset=24 (i32.const 0)))
    (local.set $k4 (v128.load64_splat offset=32 (i32.const 0)))
    (local.set $k5 (v128.load64_splat offset=40 (i32.const 0)))
    (local.set $k6 (v128.load64_splat offset=48 (i32.const 0)))
    (local.set $tEnd (local.get $tickLeft))
    (local.set $hEnd (i32.const 32))
    (loop $segments
      ;; The segment ends at the first of: the tick's end, the 32 frames' end, the input's end.
      (local.set $seg (local.get $tEnd))
      (if (i32.lt_u (local.get $hEnd) (local.get $seg)) (then (local.set $seg (local.get $hEnd))))
      (if (i32.lt_u (local.get $n) (local.get $seg)) (then (local.set $seg (local.get $n))))
      (loop $frames
        (local.set $v
          (f64x2.promote_low_f32x4
            (v128.load32_lane 1
              (i32.add (local.get $inR) (i32.shl (local.get $i) (i32.const 2)))
              (v128.load32_zero (i32.add (local.get $inL) (i32.shl (local.get $i) (i32.const 2)))))))
        ;; Pre-filter (transposed direct form II): y = b0·x + s1; s1 = b1·x − a1·y + s2; s2 = b2·x − a2·y.
        (local.set $y (f64x2.add (f64x2.mul (local.get $k0) (local.get $v)) (local.get $p1)))
        (local.set $p1
          (f64x2.add
            (f64x2.sub (f64x2.mul (local.get $k1) (local.get $v)) (f64x2.mul (local.get $k3) (local.get $y)))
            (local.get $p2)))
        (local.set $p2 (f64x2.sub (f64x2.mul (local.get $k2) (local.get $v)) (f64x2.mul (local.get $k4) (local.get $y))))
        ;; RLB high-pass with numerator [1, −2, 1] (its gain is applied to the tick sums).
        (local.set $z (f64x2.add (local.get $y) (local.get $r1)))
        (local.set $r1
          (f64x2.add
            (f64x2.sub
              (f64x2.mul (v128.const f64x2 -2 -2) (local.get $y))
              (f64x2.mul (local.get $k5) (local.get $z)))
            (local.get $r2)))
        (local.set $r2 (f64x2.sub (local.get $y) (f64x2.mul (local.get $k6) (local.get $z))))
        (local.set $acc (f64x2.add (local.get $acc) (f64x2.mul (local.get $z) (local.get $z))))
        ;; True-peak statistics: |x| and |x[i−2] − 2·x[i−1] + x[i]|.
        (local.set $m (f64x2.pmax (local.get $m) (f64x2.abs (local.get $v))))
        (local.set $d
          (f64x2.pmax (local.get $d)
            (f64x2.abs
              (f64x2.add
                (f64x2.sub (local.get $a) (f64x2.mul (v128.const f64x2 2 2) (local.get $b)))
                (local.get $v)))))
        (local.set $a (local.get $b))
        (local.set $b (local.get $v))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $frames (i32.lt_u (local.get $i) (local.get $seg))))
      ;; The 32 frames' statistics, at their end or (partial) at the input's end.
      (if (i32.or (i32.eq (local.get $i) (local.get $hEnd)) (i32.eq (local.get $i) (local.get $n)))
        (then
          (v128.store offset=0 (i32.add (local.get $halves) (local.get $hEnd)) (local.get $m))
          (v128.store offset=16 (i32.add (local.get $halves) (local.get $hEnd)) (local.get $d))))
      (if (i32.eq (local.get $i) (local.get $hEnd))
        (then
          (local.set $hEnd (i32.add (local.get $hEnd) (i32.const 32)))
          (local.set $m (v128.const i64x2 0 0))
          (local.set $d (v128.const i64x2 0 0))))
      (if (i32.eq (local.get $i) (local.get $tEnd))
        (then
          (v128.store
            (i32.add (local.get $ticks) (i32.mul (local.get $done) (local.get $stride)))
            (local.get $acc))
          (local.set $acc (v128.const i64x2 0 0))
          (local.set $p1 (call $flush (local.get $p1)))
          (local.set $p2 (call $flush (local.get $p2)))
          (local.set $r1 (call $flush (local.get $r1)))
          (local.set $r2 (call $flush (local.get $r2)))
          (local.set $done (i32.add (local.get $done) (i32.const 1)))
          (local.set $tEnd (i32.add (local.get $tEnd) (local.get $tickLen)))))
      (br_if $segments (i32.lt_u (local.get $i) (local.get $n))))
    ;; The reference flushes at the end of each call: here unless a tick just ended.
    (if (i32.and (local.get $flushEnd) (i32.ne (i32.sub (local.get $tEnd) (local.get $tickLen)) (local.get $n)))
      (then
        (local.set $p1 (call $flush (local.get $p1)))
        (local.set $p2 (call $flush (local.get $p2)))
        (local.set $r1 (call $flush (local.get $r1)))
        (local.set $r2 (call $flush (local.get $r2)))))
    (v128.store offset=0 (local.get $st) (local.get $p1))
    (v128.store offset=16 (local.get $st) (local.get $p2))
    (v128.store offset=32 (local.get $st) (local.get $r1))
    (v128.store offset=48 (local.get $st) (local.get $r2))
    (v128.store offset=64 (local.get $st) (local.get $acc))
    (local.get $done))

  ;; The points of the windows whose newest frames are 0 … count − 1 of `work` + 31 (4×: phases
  ;; 1 and 3 folded as |s| + |d|, and phase 2; 2×: the half-sample phase), into tp.
  (func $interp (param $work i32) (param $count i32) (param $factor i32)
    (local $lo i32) (local $j i32) (local $pa i32) (local $pb i32)
    (local $xa v128) (local $xb v128) (local $u v128)
    (local $s v128) (local $d v128) (local $p v128) (local $tp v128)
    (local $l0 f64) (local $l1 f64)
    (local.set $tp (v128.load64_splat (global.get $TP)))
    (loop $windows
      (local.set $s (v128.const i64x2 0 0))
      (local.set $d (v128.const i64x2 0 0))
      (local.set $p (v128.const i64x2 0 0))
      (local.set $pa (i32.add (local.get $work) (i32.shl (local.get $lo) (i32.const 4))))
      (local.set $pb (i32.add (local.get $pa) (i32.const 496)))
      (local.set $j (i32.const 0))
      (if (i32.eq (local.get $factor) (i32.const 4))
        (then
          (loop $taps4
            (local.set $xa (v128.load (local.get $pa)))
            (local.set $xb (v128.load (local.get $pb)))
            (local.set $u (f64x2.add (local.get $xa) (local.get $xb)))
            (local.set $s
              (f64x2.add (local.get $s) (f64x2.mul (v128.load64_splat offset=192 (local.get $j)) (local.get $u))))
            (local.set $d
              (f64x2.add (local.get $d)
                (f64x2.mul (v128.load64_splat offset=320 (local.get $j)) (f64x2.sub (local.get $xa) (local.get $xb)))))
            (local.set $p
              (f64x2.add (local.get $p) (f64x2.mul (v128.load64_splat offset=64 (local.get $j)) (local.get $u))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
            (local.set $pb (i32.sub (local.get $pb) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br_if $taps4 (i32.lt_u (local.get $j) (i32.const 128))))
          (local.set $tp
            (f64x2.pmax (local.get $tp) (f64x2.add (f64x2.abs (local.get $s)) (f64x2.abs (local.get $d))))))
        (else
          (loop $taps2
            (local.set $p
              (f64x2.add (local.get $p)
                (f64x2.mul (v128.load64_splat offset=64 (local.get $j))
                  (f64x2.add (v128.load (local.get $pa)) (v128.load (local.get $pb))))))
            (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
            (local.set $pb (i32.sub (local.get $pb) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br_if $taps2 (i32.lt_u (local.get $j) (i32.const 128))))))
      (local.set $tp (f64x2.pmax (local.get $tp) (f64x2.abs (local.get $p))))
      (local.set $lo (i32.add (local.get $lo) (i32.const 1)))
      (br_if $windows (i32.lt_u (local.get $lo) (local.get $count))))
    (local.set $l0 (f64x2.extract_lane 0 (local.get $tp)))
    (local.set $l1 (f64x2.extract_lane 1 (local.get $tp)))
    (f64.store (global.get $TP) (call $maxJs (call $maxJs (f64.load (global.get $TP)) (local.get $l0)) (local.get $l1))))

  ;; True peak of frames 0 … n − 1 of a pair after `kweight` filled `halves`: the sample peak
  ;; (NaN ignored, as the reference ignores it); then, per run of 32 windows (newest frames
  ;; 32k … 32k + 31), the bound of the skip test over the frames those windows span (halves
  ;; k − 1 and k, the history for k = 0), and the points of every run whose bound exceeds
  ;; max(tp, sp) in either lane; then the history.
  (func (export "peaks")
    (param $hist i32) (param $inL i32) (param $inR i32) (param $n i32) (param $halves i32) (param $work i32)
    (local $nh i32) (local $k i32) (local $j i32) (local $idx i32) (local $first i32) (local $end i32)
    (local $factor i32)
    (local $mv v128) (local $dv v128) (local $hm v128) (local $hd v128) (local $x v128)
    (local $a v128) (local $b v128) (local $bound v128) (local $thr f64) (local $sp f64)
    (local.set $nh (i32.shr_u (i32.add (local.get $n) (i32.const 31)) (i32.const 5)))
    ;; The sample peak: the largest of the 32-frame maxima.
    (local.set $mv (v128.const i64x2 0 0))
    (loop $sample
      (local.set $mv (f64x2.pmax (local.get $mv) (v128.load offset=32 (i32.add (local.get $halves) (i32.shl (local.get $k) (i32.const 5))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $sample (i32.lt_u (local.get $k) (local.get $nh))))
    (local.set $sp
      (call $maxJs (call $maxJs (f64.load (global.get $SP)) (f64x2.extract_lane 0 (local.get $mv))) (f64x2.extract_lane 1 (local.get $mv))))
    (f64.store (global.get $SP) (local.get $sp))
    (local.set $factor (i32.load (global.get $FACTOR)))
    (if (i32.ne (local.get $factor) (i32.const 1))
      (then
        ;; The history's maxima: the 31 frames before the input (history 1 … 31).
        (local.set $a (v128.load offset=16 (local.get $hist)))
        (local.set $b (v128.load offset=32 (local.get $hist)))
        (local.set $hm (f64x2.pmax (f64x2.abs (local.get $a)) (f64x2.abs (local.get $b))))
        (local.set $hd (v128.const i64x2 0 0))
        (local.set $j (i32.const 3))
        (loop $history
          (local.set $x (v128.load (i32.add (local.get $hist) (i32.shl (local.get $j) (i32.const 4)))))
          (local.set $hm (f64x2.pmax (local.get $hm) (f64x2.abs (local.get $x))))
          (local.set $hd
            (f64x2.pmax (local.get $hd)
              (f64x2.abs
                (f64x2.add (f64x2.sub (local.get $a) (f64x2.mul (v128.const f64x2 2 2) (local.get $b))) (local.get $x)))))
          (local.set $a (local.get $b))
          (local.set $b (local.get $x))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $history (i32.lt_u (local.get $j) (i32.const 32))))
        (local.set $k (i32.const 0))
        (loop $runs
          ;; Bound B = (M + H·D2 + ρ·M)·(1 + ρ) over halves k − 1 (or the history) and k.
          (local.set $mv (v128.load offset=32 (i32.add (local.get $halves) (i32.shl (local.get $k) (i32.const 5)))))
          (local.set $dv (v128.load offset=48 (i32.add (local.get $halves) (i32.shl (local.get $k) (i32.const 5)))))
          (if (i32.eqz (local.get $k))
            (then
              (local.set $mv (f64x2.pmax (local.get $mv) (local.get $hm)))
              (local.set $dv (f64x2.pmax (local.get $dv) (local.get $hd))))
            (else
              (local.set $mv (f64x2.pmax (local.get $mv) (v128.load offset=0 (i32.add (local.get $halves) (i32.shl (local.get $k) (i32.const 5))))))
              (local.set $dv (f64x2.pmax (local.get $dv) (v128.load offset=16 (i32.add (local.get $halves) (i32.shl (local.get $k) (i32.const 5))))))))
          (local.set $bound
            (f64x2.mul
              (f64x2.add
                (f64x2.add (local.get $mv) (f64x2.mul (v128.load64_splat (global.get $SMOOTH)) (local.get $dv)))
                (f64x2.mul (v128.const f64x2 1e-9 1e-9) (local.get $mv)))
              (v128.const f64x2 1.000000001 1.000000001)))
          (local.set $thr (call $maxJs (f64.load (global.get $SP)) (f64.load (global.get $TP))))
          (if (i32.eqz (i64x2.all_true (f64x2.le (local.get $bound) (f64x2.splat (local.get $thr)))))
            (then
              ;; Frames 32k − 31 … min(32k + 32, n) − 1 into work, from the history below 0.
              (local.set $first (i32.sub (i32.shl (local.get $k) (i32.const 5)) (i32.const 31)))
              (local.set $end (i32.add (i32.shl (local.get $k) (i32.const 5)) (i32.const 32)))
              (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
              (local.set $idx (local.get $first))
              (local.set $j (local.get $work))
              (block $history
                (br_if $history (i32.ge_s (local.get $idx) (i32.const 0)))
                (loop $old
                  (v128.store (local.get $j)
                    (v128.load offset=512 (i32.add (local.get $hist) (i32.shl (local.get $idx) (i32.const 4)))))
                  (local.set $j (i32.add (local.get $j) (i32.const 16)))
                  (local.set $idx (i32.add (local.get $idx) (i32.const 1)))
                  (br_if $old (i32.lt_s (local.get $idx) (i32.const 0)))))
              (loop $new
                (v128.store (local.get $j)
                  (f64x2.promote_low_f32x4
                    (v128.load32_lane 1
                      (i32.add (local.get $inR) (i32.shl (local.get $idx) (i32.const 2)))
                      (v128.load32_zero (i32.add (local.get $inL) (i32.shl (local.get $idx) (i32.const 2)))))))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (local.set $idx (i32.add (local.get $idx) (i32.const 1)))
                (br_if $new (i32.lt_s (local.get $idx) (local.get $end))))
              (call $interp (local.get $work)
                (i32.sub (local.get $end) (i32.shl (local.get $k) (i32.const 5)))
                (local.get $factor))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $runs (i32.lt_u (local.get $k) (local.get $nh))))))
    ;; The history: the last 32 frames of history and input together.
    (if (i32.lt_u (local.get $n) (i32.const 32))
      (then
        (memory.copy (local.get $hist)
          (i32.add (local.get $hist) (i32.shl (local.get $n) (i32.const 4)))
          (i32.shl (i32.sub (i32.const 32) (local.get $n)) (i32.const 4)))
        (local.set $j (i32.const 0))
        (local.set $first (i32.sub (i32.const 32) (local.get $n))))
      (else
        (local.set $j (i32.sub (local.get $n) (i32.const 32)))
        (local.set $first (i32.const 0))))
    (loop $keep
      (v128.store (i32.add (local.get $hist) (i32.shl (local.get $first) (i32.const 4)))
        (call $frame (local.get $inL) (local.get $inR) (local.get $j)))
      (local.set $first (i32.add (local.get $first) (i32.const 1)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $keep (i32.lt_u (local.get $first) (i32.const 32)))))
)
