;; WebAssembly SIMD kernels that run on TF.js's wasm memory (simd-module.ts instantiates them).
;; Why: a JS loop over the wasm heap runs the fused optimizer update at ~10 ns per weight (V8 does
;; not vectorise it); these loops do four f32 lanes per instruction. Each loop body is written out
;; in full (no calls) so nothing depends on the engine inlining small functions.
;; Assembled at build time by build/assemble-wasm.mjs (wabt) into dist/wasm/: once as written, and
;; once with the memory import below made shared (the threaded wasm build's memory).
;; Pointers are byte offsets into that memory; every array is `groups` groups of 4 floats.
(module
  (import "env" "memory" (memory 1))

  ;; Masked Adam (optimizer-kernels.ts): per lane, with k the mask (1 when mask = 0) and
  ;;   g' = (g + wd·w)·k, m' = β1·m + (1-β1)·g', v' = β2·v + (1-β2)·g'²,
  ;;   w' = (w - step·m' / (sqrt(v'/bc2) + ε))·k
  ;; written to wo, mo, vo (which may alias w, m, v).
  (func (export "adam")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32) (param $mask i32)
    (param $wo i32) (param $mo i32) (param $vo i32) (param $groups i32)
    (param $beta1 f32) (param $beta2 f32) (param $epsilon f32) (param $weightDecay f32)
    (param $stepSize f32) (param $bc2 f32)
    (local $hasWd i32) (local $off i32) (local $end i32)
    (local $b1 v128) (local $b2 v128) (local $eps v128) (local $wd v128) (local $step v128)
    (local $bc2v v128) (local $ones v128) (local $c1 v128) (local $c2 v128)
    (local $wv v128) (local $gv v128) (local $k v128) (local $m2 v128) (local $v2 v128)
    (local.set $hasWd (f32.gt (local.get $weightDecay) (f32.const 0)))
    (local.set $b1 (f32x4.splat (local.get $beta1)))
    (local.set $b2 (f32x4.splat (local.get $beta2)))
    (local.set $eps (f32x4.splat (local.get $epsilon)))
    (local.set $wd (f32x4.splat (local.get $weightDecay)))
    (local.set $step (f32x4.splat (local.get $stepSize)))
    (local.set $bc2v (f32x4.splat (local.get $bc2)))
    (local.set $ones (f32x4.splat (f32.const 1)))
    (local.set $c1 (f32x4.sub (local.get $ones) (local.get $b1)))
    (local.set $c2 (f32x4.sub (local.get $ones) (local.get $b2)))
    (local.set $end (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $off (i32.const 0))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $wv (v128.load (i32.add (local.get $w) (local.get $off))))
        ;; g' = (g + wd·w)·k (the L2 term only when wd > 0, as PyTorch adds it; k = 1 without a mask).
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $off))))
        (if (local.get $hasWd)
          (then (local.set $gv (f32x4.add (local.get $gv) (f32x4.mul (local.get $wv) (local.get $wd))))))
        (local.set $k
          (if (result v128) (i32.eqz (local.get $mask))
            (then (local.get $ones))
            (else (v128.load (i32.add (local.get $mask) (local.get $off))))))
        (local.set $gv (f32x4.mul (local.get $gv) (local.get $k)))
        (local.set $m2 (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $off))) (local.get $b1))
          (f32x4.mul (local.get $gv) (local.get $c1))))
        (local.set $v2 (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $off))) (local.get $b2))
          (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $c2))))
        (v128.store (i32.add (local.get $mo) (local.get $off)) (local.get $m2))
        (v128.store (i32.add (local.get $vo) (local.get $off)) (local.get $v2))
        (v128.store (i32.add (local.get $wo) (local.get $off))
          (f32x4.mul
            (f32x4.sub (local.get $wv)
              (f32x4.div
                (f32x4.mul (local.get $m2) (local.get $step))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $v2) (local.get $bc2v))) (local.get $eps))))
            (local.get $k)))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $group))))

  ;; Masked SGD (PyTorch's rule): g' = (g + wd·w)·k; with momentum (buf ≠ 0) b' = μ·b + g' is
  ;; written to bo and the step is b' (Nesterov: g' + μ·b'); w' = (w - lr·step)·k to wo.
  (func (export "sgd")
    (param $w i32) (param $g i32) (param $buf i32) (param $mask i32) (param $wo i32) (param $bo i32)
    (param $groups i32) (param $learningRate f32) (param $momentum f32) (param $weightDecay f32)
    (param $nesterov i32)
    (local $hasWd i32) (local $off i32) (local $end i32)
    (local $lr v128) (local $mom v128) (local $wd v128) (local $ones v128)
    (local $wv v128) (local $gv v128) (local $k v128) (local $next v128) (local $stepv v128)
    (local.set $hasWd (f32.gt (local.get $weightDecay) (f32.const 0)))
    (local.set $lr (f32x4.splat (local.get $learningRate)))
    (local.set $mom (f32x4.splat (local.get $momentum)))
    (local.set $wd (f32x4.splat (local.get $weightDecay)))
    (local.set $ones (f32x4.splat (f32.const 1)))
    (local.set $end (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $off (i32.const 0))
    (block $done
      (loop $group
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $wv (v128.load (i32.add (local.get $w) (local.get $off))))
        ;; g' = (g + wd·w)·k (the L2 term only when wd > 0, as PyTorch adds it; k = 1 without a mask).
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $off))))
        (if (local.get $hasWd)
          (then (local.set $gv (f32x4.add (local.get $gv) (f32x4.mul (local.get $wv) (local.get $wd))))))
        (local.set $k
          (if (result v128) (i32.eqz (local.get $mask))
            (then (local.get $ones))
            (else (v128.load (i32.add (local.get $mask) (local.get $off))))))
        (local.set $gv (f32x4.mul (local.get $gv) (local.get $k)))
        (local.set $stepv (local.get $gv))
        (if (local.get $buf)
          (then
            (local.set $next (f32x4.add
              (f32x4.mul (v128.load (i32.add (local.get $buf) (local.get $off))) (local.get $mom))
              (local.get $gv)))
            (v128.store (i32.add (local.get $bo) (local.get $off)) (local.get $next))
            (local.set $stepv (local.get $next))
            (if (local.get $nesterov)
              (then (local.set $stepv (f32x4.add (local.get $gv) (f32x4.mul (local.get $next) (local.get $mom))))))))
        (v128.store (i32.add (local.get $wo) (local.get $off))
          (f32x4.mul
            (f32x4.sub (local.get $wv) (f32x4.mul (local.get $stepv) (local.get $lr)))
            (local.get $k)))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $group))))

  ;; Column sums: out[0..4·groups) += each of `rows` rows of x (row stride 16·groups bytes).
  (func (export "colsum") (param $x i32) (param $out i32) (param $rows i32) (param $groups i32)
    (local $row i32) (local $off i32) (local $end i32)
    (local.set $end (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $row (i32.const 0))
    (block $rowsDone
      (loop $nextRow
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $off (i32.const 0))
        (block $done
          (loop $group
            (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
            (v128.store (i32.add (local.get $out) (local.get $off))
              (f32x4.add
                (v128.load (i32.add (local.get $out) (local.get $off)))
                (v128.load (i32.add (local.get $x) (local.get $off)))))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br $group)))
        (local.set $x (i32.add (local.get $x) (local.get $end)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $nextRow))))

  ;; Gradient of one output row of a 2x2 stride-2 max-pool over C = 4·groups channels (NHWC): for
  ;; each of `ow` windows a b / c d (a at x, b at x + C, c at x + rowBytes, d at c + C), dy goes to
  ;; the window's first maximum in raster order (strictly greater wins, as the cpu backend does),
  ;; the other three positions of dx get 0.
  (func (export "pool2grad")
    (param $x i32) (param $dy i32) (param $dx i32) (param $ow i32) (param $groups i32) (param $rowBytes i32)
    (local $i i32) (local $cBytes i32) (local $xb i32) (local $xc i32) (local $db i32) (local $dc i32)
    (local $off i32)
    (local $best v128) (local $va v128) (local $vb v128) (local $vc v128) (local $vd v128)
    (local $gb v128) (local $gc v128) (local $gd v128) (local $taken v128) (local $g v128)
    (local.set $cBytes (i32.shl (local.get $groups) (i32.const 4)))
    (local.set $i (i32.const 0))
    (block $windowsDone
      (loop $window
        (br_if $windowsDone (i32.ge_u (local.get $i) (local.get $ow)))
        (local.set $xb (i32.add (local.get $x) (local.get $cBytes)))
        (local.set $xc (i32.add (local.get $x) (local.get $rowBytes)))
        (local.set $db (i32.add (local.get $dx) (local.get $cBytes)))
        (local.set $dc (i32.add (local.get $dx) (local.get $rowBytes)))
        (local.set $off (i32.const 0))
        (block $done
          (loop $group
            (br_if $done (i32.ge_u (local.get $off) (local.get $cBytes)))
            (local.set $va (v128.load (i32.add (local.get $x) (local.get $off))))
            (local.set $vb (v128.load (i32.add (local.get $xb) (local.get $off))))
            (local.set $vc (v128.load (i32.add (local.get $xc) (local.get $off))))
            (local.set $vd (v128.load (i32.add (i32.add (local.get $xc) (local.get $cBytes)) (local.get $off))))
            (local.set $g (v128.load (i32.add (local.get $dy) (local.get $off))))
            ;; Running maximum; each later position wins only where it is strictly greater.
            (local.set $gb (f32x4.gt (local.get $vb) (local.get $va)))
            (local.set $best (v128.bitselect (local.get $vb) (local.get $va) (local.get $gb)))
            (local.set $gc (f32x4.gt (local.get $vc) (local.get $best)))
            (local.set $best (v128.bitselect (local.get $vc) (local.get $best) (local.get $gc)))
            (local.set $gd (f32x4.gt (local.get $vd) (local.get $best)))
            ;; Winner masks: d where gd; c where gc and not d; b where gb and neither; a otherwise.
            (local.set $taken (local.get $gd))
            (local.set $gc (v128.and (local.get $gc) (v128.not (local.get $taken))))
            (local.set $taken (v128.or (local.get $taken) (local.get $gc)))
            (local.set $gb (v128.and (local.get $gb) (v128.not (local.get $taken))))
            (local.set $taken (v128.or (local.get $taken) (local.get $gb)))
            (v128.store (i32.add (local.get $dx) (local.get $off))
              (v128.and (local.get $g) (v128.not (local.get $taken))))
            (v128.store (i32.add (local.get $db) (local.get $off)) (v128.and (local.get $g) (local.get $gb)))
            (v128.store (i32.add (local.get $dc) (local.get $off)) (v128.and (local.get $g) (local.get $gc)))
            (v128.store (i32.add (i32.add (local.get $dc) (local.get $cBytes)) (local.get $off))
              (v128.and (local.get $g) (local.get $gd)))
            (local.set $off (i32.add (local.get $off) (i32.const 16)))
            (br $group)))
        ;; Next window: x and dx move by 2C, dy by C.
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $cBytes) (i32.const 1))))
        (local.set $dx (i32.add (local.get $dx) (i32.shl (local.get $cBytes) (i32.const 1))))
        (local.set $dy (i32.add (local.get $dy) (local.get $cBytes)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $window))))
)
