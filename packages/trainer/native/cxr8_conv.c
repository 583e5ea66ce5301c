/*
 * Native 2-D convolution kernels for the trainer (NHWC, float32): forward (with bias and ReLU), the input gradient and
 * the filter gradient, each as a cache-blocked matrix product with a micro-kernel chosen at run time (AVX-512 16 x 16,
 * AVX2+FMA 6 x 16 on x86-64; a portable C one elsewhere), on up to `threads` threads of a pool (see parallel_for); and
 * the few other passes of a training step worth doing natively (bias sums, LSE pooling, ReLU gradient, sums, Adam,
 * the per-image input standardisation). Where K = kh * kw * Ci is tiny (the stem), forward and filter gradient run as
 * direct convolutions instead (no im2col, no packing).
 *
 * The tensors live in the memory of TensorFlow.js's wasm backend: every call gets that memory's ArrayBuffer and byte
 * offsets into it, and writes its output there, so nothing is copied between JavaScript and C.
 *
 * Layouts (tfjs's): x [N, H, W, Ci]; filter [kh, kw, Ci, Co] = a K x Co matrix with K = kh * kw * Ci; y [N, Ho, Wo, Co]
 * = an M x Co matrix with M = N * Ho * Wo. Row m of im2col(x) holds, for output pixel m, the kh x kw patch of x it
 * sees (taps in row-major order, Ci values each; zero outside the image), so that
 *   forward:         y  = im2col(x) . filter (+ bias, then ReLU)
 *   filter gradient: dW = im2col(x)^T . dy
 *   input gradient:  dx = col2im(dy . filter^T)   (col2im adds each row's patch back into its place)
 * The left operand is never packed: the micro-kernels read im2col rows, dy rows or dy^T where they lie (MicroFn);
 * the right one (the filter, or im2col rows for the filter gradient) is packed into 16-column panels. Bias and ReLU are
 * applied as the forward's last depth block is stored; 1x1 stride-1 convolutions read x in place (no im2col).
 *
 * JavaScript API (src/native.ts wraps it): conv(op, heap, params) with op 0 = forward, 1 = input gradient (with a 4th
 * argument, a Float32Array of Ci values: masked by a ReLU's output at P_X, dx where it is > 0, else 0, and the column
 * sums of the masked dx into it: a ReLU gradient fused into the input gradient), 2 = filter gradient, 3 = column sums (out[c] = sum over rows of x[row][c], x a P_N x P_CO matrix: the bias
 * gradient), 4 = LSE pooling (x [P_N, P_H positions, P_CO], r: pooled [P_N, P_CO] at P_OUT and the softmax weights,
 * its gradient, at P_DY), 5 = ReLU gradient (out = dy where x > 0, else 0, P_N values; with a 4th argument, a
 * Float32Array of P_CO values, also the column sums of out as a P_N / P_CO x P_CO matrix: the bias gradient), 6 = sum
 * (out = dy + x, then ReLU if P_RELU, P_N values), 7 = standardisation (x [P_N images, P_H values]: each image minus
 * its mean, over its standard deviation + P_R, into out); heap the wasm memory's ArrayBuffer; params a Float64Array (offsets
 * pass 2 GB), see `Conv` below. Returns undefined; throws a TypeError on bad arguments. adam(heap, params) updates
 * every variable of an Adam step in one call (see js_adam). kernel() names the micro-kernel in use, setKernel(name)
 * switches it.
 */
#include <node_api.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define CXR8_X86 1
#endif
#define NR 16
#define MAX_MR 16
#define KC 256
#define MC 96 /* rows of an A block: a multiple of every kernel's MR (6 and 16) */
#define MAX_THREADS 64

typedef struct {
  int n, h, w, ci;        /* input */
  int kh, kw, co;         /* filter */
  int ho, wo;             /* output */
  int sh, sw, pt, pl;     /* strides, top and left padding */
  int relu;               /* forward: 1 = ReLU after the bias */
  const float *x;         /* forward and filter gradient: input */
  const float *filter;    /* forward and input gradient */
  const float *bias;      /* forward: may be NULL */
  const float *dy;        /* gradients: output gradient */
  float *out;             /* y, dx or dW */
  const float *mask;      /* input gradient: NULL, or a ReLU's output of x's shape: dx where it is > 0, else 0 */
  double *mask_sums;      /* with mask: Ci column sums of the masked dx per image (N x Ci) */
} Conv;

/* ------------------------------------------------------ micro-kernels: C[MR x 16] (+)= A . B panel (+ bias, ReLU) */

/*
 * How a micro-kernel stores its tile: added to C or written over it, then (forward's last depth block only) plus the
 * bias of each column and through ReLU, while the tile is still in registers.
 */
typedef struct {
  int accumulate;
  int relu;
  const float *bias; /* NR values for this tile's columns, or NULL */
} Store;

/*
 * C[MR x NR] (+)= A[MR x kc] . B[kc x NR], B a packed panel (row k at b + k * NR). A is read where it lies, in one of
 * two layouts, so that it is never copied:
 *   columns ("P"): element (r, k) at a[k * ld + r]: a packed panel (ld = MR), or dy^T read from dy (ld = Co);
 *   rows ("R"):    element (r, k) at a[r * ld + k]: im2col rows, or dy rows.
 */
typedef void (*MicroFn)(int kc, const float *a, ptrdiff_t ld, const float *b, float *c, int ldc, const Store *st);

/* A micro-kernel: its rows per tile, its two variants, its name (setKernel). */
typedef struct {
  const char *name;
  int mr;
  MicroFn columns;
  MicroFn rows;
} Kernel;

/* A's element (r, k) in each layout; the kernel bodies below step `a` by CXR8_STEP(ld) per k. */
#define CXR8_A_COLUMNS(r) a[r]
#define CXR8_STEP_COLUMNS ld
#define CXR8_A_ROWS(r) a[(r) * ld]
#define CXR8_STEP_ROWS 1

/* Portable micro-kernel: GCC/Clang vector extensions, 4 lanes (SSE on x86, NEON on arm64), 6 x 16, 24 accumulators. */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

static inline v4f load4(const float *p) {
  v4f v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline void store_generic(v4f acc[6][NR / 4], float *c, int ldc, const Store *st) {
  const v4f zero = { 0.0f, 0.0f, 0.0f, 0.0f };
  for (int r = 0; r < 6; r++) {
    float *cr = c + (size_t)r * ldc;
    for (int q = 0; q < NR / 4; q++) {
      v4f v = acc[r][q];
      if (st->accumulate) v += load4(cr + 4 * q);
      if (st->bias != NULL) v += load4(st->bias + 4 * q);
      if (st->relu) v = (v4f)((v4i)v & (v > zero)); /* lanes > 0 keep their bits, the others become +0 */
      memcpy(cr + 4 * q, &v, sizeof v);
    }
  }
}

#define CXR8_GENERIC(NAME, LAYOUT)                                                                                   \
  static void NAME(int kc, const float *a, ptrdiff_t ld, const float *b, float *c, int ldc, const Store *st) {     \
    v4f acc[6][NR / 4];                                                                                            \
    for (int r = 0; r < 6; r++) {                                                                                  \
      for (int q = 0; q < NR / 4; q++) acc[r][q] = (v4f){ 0.0f, 0.0f, 0.0f, 0.0f };                                \
    }                                                                                                              \
    for (int k = 0; k < kc; k++) {                                                                                 \
      const v4f b0 = load4(b), b1 = load4(b + 4), b2 = load4(b + 8), b3 = load4(b + 12);                           \
      for (int r = 0; r < 6; r++) {                                                                                \
        const float s = CXR8_A_##LAYOUT(r);                                                                        \
        const v4f av = { s, s, s, s };                                                                             \
        acc[r][0] += av * b0;                                                                                      \
        acc[r][1] += av * b1;                                                                                      \
        acc[r][2] += av * b2;                                                                                      \
        acc[r][3] += av * b3;                                                                                      \
      }                                                                                                            \
      a += CXR8_STEP_##LAYOUT;                                                                                     \
      b += NR;                                                                                                     \
    }                                                                                                              \
    store_generic(acc, c, ldc, st);                                                                                \
  }
CXR8_GENERIC(micro_generic_columns, COLUMNS)
CXR8_GENERIC(micro_generic_rows, ROWS)

#ifdef CXR8_X86
/* AVX2 + FMA: 6 x 16, 12 accumulators (of 16 registers). */
__attribute__((target("avx2,fma"))) static inline void store_avx2(__m256 acc[12], float *c, int ldc, const Store *st) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 bias0 = st->bias != NULL ? _mm256_loadu_ps(st->bias) : zero;
  const __m256 bias1 = st->bias != NULL ? _mm256_loadu_ps(st->bias + 8) : zero;
  for (int r = 0; r < 6; r++) {
    float *cr = c + (size_t)r * ldc;
    __m256 l = acc[2 * r], h = acc[2 * r + 1];
    if (st->accumulate) {
      l = _mm256_add_ps(_mm256_loadu_ps(cr), l);
      h = _mm256_add_ps(_mm256_loadu_ps(cr + 8), h);
    }
    l = _mm256_add_ps(l, bias0);
    h = _mm256_add_ps(h, bias1);
    if (st->relu) {
      l = _mm256_max_ps(l, zero);
      h = _mm256_max_ps(h, zero);
    }
    _mm256_storeu_ps(cr, l);
    _mm256_storeu_ps(cr + 8, h);
  }
}

#define CXR8_AVX2(NAME, LAYOUT)                                                                                      \
  __attribute__((target("avx2,fma"))) static void NAME(int kc, const float *a, ptrdiff_t ld, const float *b, float *c, \
                                                       int ldc, const Store *st) {                                   \
    __m256 acc[12];                                                                                                \
    for (int r = 0; r < 12; r++) acc[r] = _mm256_setzero_ps();                                                     \
    for (int k = 0; k < kc; k++) {                                                                                 \
      const __m256 b0 = _mm256_loadu_ps(b);                                                                        \
      const __m256 b1 = _mm256_loadu_ps(b + 8);                                                                    \
      for (int r = 0; r < 6; r++) {                                                                                \
        const __m256 av = _mm256_set1_ps(CXR8_A_##LAYOUT(r));                                                      \
        acc[2 * r] = _mm256_fmadd_ps(av, b0, acc[2 * r]);                                                          \
        acc[2 * r + 1] = _mm256_fmadd_ps(av, b1, acc[2 * r + 1]);                                                  \
      }                                                                                                            \
      a += CXR8_STEP_##LAYOUT;                                                                                     \
      b += NR;                                                                                                     \
    }                                                                                                              \
    store_avx2(acc, c, ldc, st);                                                                                   \
  }
CXR8_AVX2(micro_avx2_columns, COLUMNS)
CXR8_AVX2(micro_avx2_rows, ROWS)

/*
 * AVX-512: 16 x 16, one 16-lane register per row, 16 accumulators (of 32 registers). Each step loads one B row and
 * broadcasts 16 A values: per multiply-add it loads half the B of the AVX2 kernel's 6 x 16 tile, and its tile covers
 * Co = 16, 32, 64, 128 without edges (the backbone's widths; 6 rows leave a 4-row edge on 16).
 */
__attribute__((target("avx512f"))) static inline void store_avx512(__m512 acc[16], float *c, int ldc, const Store *st) {
  const __m512 zero = _mm512_setzero_ps();
  const __m512 bias = st->bias != NULL ? _mm512_loadu_ps(st->bias) : zero;
  for (int r = 0; r < 16; r++) {
    float *cr = c + (size_t)r * ldc;
    __m512 v = acc[r];
    if (st->accumulate) v = _mm512_add_ps(_mm512_loadu_ps(cr), v);
    v = _mm512_add_ps(v, bias);
    if (st->relu) v = _mm512_max_ps(v, zero);
    _mm512_storeu_ps(cr, v);
  }
}

#define CXR8_AVX512(NAME, LAYOUT)                                                                                    \
  __attribute__((target("avx512f"))) static void NAME(int kc, const float *a, ptrdiff_t ld, const float *b, float *c, \
                                                      int ldc, const Store *st) {                                    \
    __m512 acc[16];                                                                                                \
    for (int r = 0; r < 16; r++) acc[r] = _mm512_setzero_ps();                                                     \
    for (int k = 0; k < kc; k++) {                                                                                 \
      const __m512 bv = _mm512_loadu_ps(b);                                                                        \
      for (int r = 0; r < 16; r++) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(CXR8_A_##LAYOUT(r)), bv, acc[r]);       \
      a += CXR8_STEP_##LAYOUT;                                                                                     \
      b += NR;                                                                                                     \
    }                                                                                                              \
    store_avx512(acc, c, ldc, st);                                                                                 \
  }
CXR8_AVX512(micro_avx512_columns, COLUMNS)
CXR8_AVX512(micro_avx512_rows, ROWS)
#endif

static const Kernel KERNEL_GENERIC = { "generic", 6, micro_generic_columns, micro_generic_rows };
#ifdef CXR8_X86
static const Kernel KERNEL_AVX2 = { "avx2-fma", 6, micro_avx2_columns, micro_avx2_rows };
static const Kernel KERNEL_AVX512 = { "avx512", 16, micro_avx512_columns, micro_avx512_rows };
#endif

/*
 * The passes written with 16-lane vector extensions (direct convolution, masked sums, LSE exponentials) are compiled
 * once per instruction set (CXR8_PER_ISA defines NAME_generic, NAME_avx2, NAME_avx512 from DEFINE(name, target)), and
 * the one of the micro-kernel `k` runs (CXR8_BY_ISA), so that CXR8_KERNEL / setKernel test each.
 */
#ifdef CXR8_X86
#define CXR8_PER_ISA(DEFINE, NAME)                                                                                   \
  DEFINE(NAME##_generic, )                                                                                           \
  DEFINE(NAME##_avx2, __attribute__((target("avx2,fma"))))                                                           \
  DEFINE(NAME##_avx512, __attribute__((target("avx512f"))))
#define CXR8_BY_ISA(k, NAME, ARGS) ((k) == &KERNEL_AVX512 ? NAME##_avx512 ARGS : (k) == &KERNEL_AVX2 ? NAME##_avx2 ARGS : NAME##_generic ARGS)
#else
#define CXR8_PER_ISA(DEFINE, NAME) DEFINE(NAME##_generic, )
#define CXR8_BY_ISA(k, NAME, ARGS) NAME##_generic ARGS
#endif

/* The micro-kernel in use; each convolution reads it once, so a switch never splits a call. */
static const Kernel *kernel = &KERNEL_GENERIC;

/* The kernel called `name` where this CPU runs it, or NULL. */
static const Kernel *find_kernel(const char *name) {
  if (strcmp(name, "generic") == 0) return &KERNEL_GENERIC;
#ifdef CXR8_X86
  __builtin_cpu_init();
  if (strcmp(name, "avx2-fma") == 0 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &KERNEL_AVX2;
  if (strcmp(name, "avx512") == 0 && __builtin_cpu_supports("avx512f")) return &KERNEL_AVX512;
#endif
  return NULL;
}

/* At load: AVX-512 where the CPU has it, else AVX2 + FMA, else the portable kernel; CXR8_KERNEL=name overrides. */
static void choose_micro_kernel(void) {
  const char *forced = getenv("CXR8_KERNEL");
  const Kernel *k = forced != NULL ? find_kernel(forced) : NULL;
  if (k == NULL) k = find_kernel("avx512");
  if (k == NULL) k = find_kernel("avx2-fma");
  kernel = k != NULL ? k : &KERNEL_GENERIC;
}

/* An A operand: element (r, k) at a[r * rs + k * ks], with rs or ks = 1 (see MicroFn). */
typedef struct {
  const float *a;
  ptrdiff_t rs, ks;
} Operand;

/*
 * A tile at the edge of C (mr < MR rows or nr < NR columns): A's mr rows are copied into a zero-padded panel (so that
 * nothing past A is read), the product goes to a scratch tile, and mr x nr of it into C.
 */
static void micro_edge(const Kernel *kn, int kc, Operand a, const float *b, float *c, int ldc, const Store *st, int mr, int nr) {
  float panel[MAX_MR * KC];
  float tile[MAX_MR * NR];
  const int mrk = kn->mr;
  for (int k = 0; k < kc; k++) {
    for (int r = 0; r < mrk; r++) panel[k * mrk + r] = r < mr ? a.a[r * a.rs + k * a.ks] : 0.0f;
  }
  const Store plain = { 0, 0, NULL };
  kn->columns(kc, panel, mrk, b, tile, NR, &plain);
  for (int r = 0; r < mr; r++) {
    float *cr = c + (size_t)r * ldc;
    const float *tr = tile + r * NR;
    for (int j = 0; j < nr; j++) {
      float v = tr[j];
      if (st->accumulate) v += cr[j];
      if (st->bias != NULL) v += st->bias[j];
      if (st->relu && !(v > 0.0f)) v = 0.0f;
      cr[j] = v;
    }
  }
}

/*
 * C[rows x cols] (+)= A . B over one depth block of kc: A read in place (an Operand), `pb` holding ceil(cols / NR)
 * packed B panels (kc x NR each). With `bias` (cols values) and `relu`, they are applied as C is stored.
 */
static void block_product(const Kernel *kn, int rows, int cols, int kc, Operand a, const float *pb, float *c, int ldc, int accumulate,
                          const float *bias, int relu) {
  const int mrk = kn->mr;
  const MicroFn fn = a.rs == 1 ? kn->columns : kn->rows;
  const ptrdiff_t ld = a.rs == 1 ? a.ks : a.rs;
  for (int j = 0; j < cols; j += NR) {
    const float *bp = pb + (size_t)(j / NR) * kc * NR;
    const int nr = cols - j < NR ? cols - j : NR;
    const Store st = { accumulate, relu, bias != NULL ? bias + j : NULL };
    for (int i = 0; i < rows; i += mrk) {
      const Operand ai = { a.a + i * a.rs, a.rs, a.ks };
      const int mr = rows - i < mrk ? rows - i : mrk;
      float *ct = c + (size_t)i * ldc + j;
      if (mr == mrk && nr == NR) fn(kc, ai.a, ld, bp, ct, ldc, &st);
      else micro_edge(kn, kc, ai, bp, ct, ldc, &st, mr, nr);
    }
  }
}

/* ------------------------------------------------------------------------------------------------- im2col rows */

/* The output pixel of im2col row m, stepped row by row without divisions. */
typedef struct {
  int n, oy, ox;
} Pixel;

static Pixel pixel_of(const Conv *p, int m) {
  return (Pixel){ .n = m / (p->wo * p->ho), .oy = (m / p->wo) % p->ho, .ox = m % p->wo };
}

static void next_pixel(const Conv *p, Pixel *q) {
  if (++q->ox == p->wo) {
    q->ox = 0;
    if (++q->oy == p->ho) {
      q->oy = 0;
      q->n++;
    }
  }
}

/* The taps j0 .. j1 - 1 of a filter row that fall inside the image for a patch starting at column ix0. */
static void inside_taps(const Conv *p, int ix0, int *j0, int *j1) {
  *j0 = ix0 < 0 ? -ix0 : 0;
  *j1 = p->w - ix0 < p->kw ? p->w - ix0 : p->kw;
  if (*j0 > p->kw) *j0 = p->kw;
  if (*j1 < *j0) *j1 = *j0;
}

/* Short runs (a filter row is kw * Ci floats: 4 for the stem) in 4-float moves: no library call, no vector prologue. */
static inline void copy_floats(float *d, const float *s, int count) {
  int q = 0;
  for (; q + 4 <= count; q += 4) memcpy(d + q, s + q, 4 * sizeof(float));
  for (; q < count; q++) d[q] = s[q];
}

static inline void zero_floats(float *d, int count) {
  static const float zeros[4] = { 0.0f, 0.0f, 0.0f, 0.0f };
  int q = 0;
  for (; q + 4 <= count; q += 4) memcpy(d + q, zeros, 4 * sizeof(float));
  for (; q < count; q++) d[q] = 0.0f;
}

static int round_up(int v, int to) { return (v + to - 1) / to * to; }

/*
 * Writes `count` floats of src (zeros where src is NULL) at row r, column col of an im2col block: row-major with `ld`
 * floats a row, or, with kc > 0, as NR-column panels of kc rows (pack_b's layout), split where a panel ends.
 */
static inline void put_columns(float *dst, int ld, int kc, int r, int col, const float *src, int count) {
  while (count > 0) {
    const int n = kc == 0 ? count : (NR - col % NR < count ? NR - col % NR : count);
    float *d = kc == 0 ? dst + (size_t)r * ld + col : dst + (size_t)(col / NR) * kc * NR + (size_t)r * NR + col % NR;
    if (src != NULL) {
      copy_floats(d, src, n);
      src += n;
    } else {
      zero_floats(d, n);
    }
    col += n;
    count -= n;
  }
}

/*
 * Writes im2col rows m0 .. m0 + rows - 1 of x (all K columns) into `dst`: row-major, `ld` floats a row (kc = 0), or
 * straight into the NR-column panels of kc rows that pack_b would make of them (zero-padded to a whole panel), which
 * saves the filter gradient a copy of every block. A filter row's kw taps read kw * Ci consecutive floats of x and
 * write them consecutively, so each filter row is one copy (with zeros where the patch leaves the image).
 */
static void im2col_rows(const Conv *p, int m0, int rows, float *dst, int ld, int kc) {
  const int span = p->kw * p->ci;
  const int k = p->kh * span;
  Pixel q = pixel_of(p, m0);
  for (int r = 0; r < rows; r++, next_pixel(p, &q)) {
    const int ix0 = q.ox * p->sw - p->pl;
    int j0, j1;
    inside_taps(p, ix0, &j0, &j1);
    for (int i = 0; i < p->kh; i++) {
      const int iy = q.oy * p->sh + i - p->pt;
      const int col = i * span;
      if (iy < 0 || iy >= p->h || j0 == j1) {
        put_columns(dst, ld, kc, r, col, NULL, span);
        continue;
      }
      const float *s = p->x + (((size_t)q.n * p->h + iy) * p->w + (size_t)(ix0 + j0)) * p->ci;
      if (j0 == 0 && j1 == p->kw) { /* inside the image: the usual case */
        put_columns(dst, ld, kc, r, col, s, span);
        continue;
      }
      put_columns(dst, ld, kc, r, col, NULL, j0 * p->ci);
      put_columns(dst, ld, kc, r, col + j0 * p->ci, s, (j1 - j0) * p->ci);
      put_columns(dst, ld, kc, r, col + j1 * p->ci, NULL, (p->kw - j1) * p->ci);
    }
    if (kc > 0) put_columns(dst, ld, kc, r, k, NULL, round_up(k, NR) - k); /* the last panel's padding */
  }
}

/* Packs rows r0 .. r0 + kc - 1, columns 0 .. cols - 1 of a row-major matrix as NR-column panels, zero-padded. */
static void pack_b(const float *src, int ld, int r0, int kc, int cols, float *dst) {
  for (int j = 0; j < cols; j += NR) {
    const int nr = cols - j < NR ? cols - j : NR;
    float *panel = dst + (size_t)(j / NR) * kc * NR;
    for (int k = 0; k < kc; k++) {
      const float *s = src + (size_t)(r0 + k) * ld + j;
      float *d = panel + k * NR;
      if (nr == NR) {
        memcpy(d, s, NR * sizeof(float));
        continue;
      }
      int q = 0;
      for (; q < nr; q++) d[q] = s[q];
      for (; q < NR; q++) d[q] = 0.0f;
    }
  }
}

/* Packs the transpose of a rows x cols row-major matrix (B = src^T), depth k0 .. k0 + kc - 1 of B = columns of src. */
static void pack_b_transposed(const float *src, int ld, int k0, int kc, int rows, float *dst) {
  for (int j = 0; j < rows; j += NR) {
    const int nr = rows - j < NR ? rows - j : NR;
    float *panel = dst + (size_t)(j / NR) * kc * NR;
    for (int k = 0; k < kc; k++) {
      float *d = panel + k * NR;
      int q = 0;
      for (; q < nr; q++) d[q] = src[(size_t)(j + q) * ld + k0 + k];
      for (; q < NR; q++) d[q] = 0.0f;
    }
  }
}


/*
 * The row stride of an im2col buffer of K columns: K rounded up to 16 floats, plus 16 when that is a multiple of 256
 * bytes, so that the 16 rows a micro-kernel reads do not fall into the same few L1 cache sets.
 */
static int row_stride(int k) {
  const int r = round_up(k, 16);
  return r % 64 == 0 ? r + 16 : r;
}

/* A 1x1 convolution with stride 1 and no padding: im2col(x) is x itself, read in place. */
static int is_pointwise(const Conv *p) {
  return p->kh == 1 && p->kw == 1 && p->sh == 1 && p->sw == 1 && p->pt == 0 && p->pl == 0 && p->ho == p->h && p->wo == p->w;
}

/* Loops of selects (ReLU masks, maxima) that GCC vectorises only without trapping math. */
#if defined(__GNUC__) && !defined(__clang__)
#define CXR8_VECTORIZABLE __attribute__((optimize("no-trapping-math"))) /* lets GCC vectorise them */
#else
#define CXR8_VECTORIZABLE
#endif

/* ------------------------------------------------------------------------------------------ masked column sums */

/* Columns summed per pass over the rows (a bias gradient's are at most a few hundred: one pass). */
#define SUM_COLS 256

/*
 * partial[c] += the sum of x[r][c] over rows begin .. end - 1 of a `cols`-column matrix (in float over blocks of 256
 * rows, added into double: a fixed order, a small error); with y (a ReLU's output), x is first masked (x where y > 0,
 * else 0) and written to out, which may be x itself.
 */
/* 16 floats in one AVX-512 register, two AVX2 ones or four SSE/NEON ones, whichever the function is compiled for. */
typedef float v16f __attribute__((vector_size(64), aligned(4)));
typedef int32_t v16i __attribute__((vector_size(64), aligned(4)));

/*
 * masked_column_sums where cols is a multiple of 64 or at most 64 and a multiple of 16: the same additions in the same
 * order (so the same bits), with up to 4 x 16 column sums in registers, compiled per instruction set.
 */
#define CXR8_MASKED_SUMS(NAME, TARGET)                                                                               \
  TARGET static void NAME(const float *x, const float *y, float *out, int cols, int begin, int end, double *partial) { \
    const int step = cols < 64 ? cols : 64, blocks = step / 16;                                                      \
    const v16f zero = { 0 };                                                                                         \
    for (int c0 = 0; c0 < cols; c0 += step) {                                                                        \
      for (int r0 = begin; r0 < end; r0 += 256) {                                                                    \
        const int r1 = end - r0 < 256 ? end : r0 + 256;                                                              \
        v16f acc[4] = { zero, zero, zero, zero };                                                                    \
        for (int r = r0; r < r1; r++) {                                                                              \
          const size_t at = (size_t)r * cols + c0;                                                                   \
          for (int b = 0; b < 4; b++) {                                                                              \
            if (b >= blocks) break;                                                                                  \
            v16f v = *(const v16f *)(x + at + 16 * b);                                                               \
            if (y != NULL) {                                                                                         \
              v = (v16f)((v16i)v & (*(const v16f *)(y + at + 16 * b) > zero));                                      \
              *(v16f *)(out + at + 16 * b) = v;                                                                      \
            }                                                                                                        \
            acc[b] += v;                                                                                             \
          }                                                                                                          \
        }                                                                                                            \
        for (int b = 0; b < blocks; b++) {                                                                           \
          for (int l = 0; l < 16; l++) partial[c0 + 16 * b + l] += acc[b][l];                                       \
        }                                                                                                            \
      }                                                                                                              \
    }                                                                                                                \
  }
CXR8_PER_ISA(CXR8_MASKED_SUMS, masked_sums)

CXR8_VECTORIZABLE static void masked_column_sums(const float *x, const float *y, float *out, int cols, int begin, int end, double *partial) {
  if (cols % 64 == 0 || (cols < 64 && cols % 16 == 0)) {
    CXR8_BY_ISA(kernel, masked_sums, (x, y, out, cols, begin, end, partial));
    return;
  }
  float acc[SUM_COLS];
  for (int c0 = 0; c0 < cols; c0 += SUM_COLS) {
    const int width = cols - c0 < SUM_COLS ? cols - c0 : SUM_COLS;
    for (int r0 = begin; r0 < end; r0 += 256) {
      const int r1 = end - r0 < 256 ? end : r0 + 256;
      for (int j = 0; j < width; j++) acc[j] = 0.0f;
      for (int r = r0; r < r1; r++) {
        const size_t at = (size_t)r * cols + c0;
        const float *row = x + at;
        if (y == NULL) {
          for (int j = 0; j < width; j++) acc[j] += row[j];
          continue;
        }
        const float *mask = y + at;
        float *o = out + at;
        if (o == row) { /* in place: one pointer, so that the loop vectorises without an overlap check */
          for (int j = 0; j < width; j++) {
            const float v = mask[j] > 0.0f ? o[j] : 0.0f;
            o[j] = v;
            acc[j] += v;
          }
          continue;
        }
        for (int j = 0; j < width; j++) {
          const float d = row[j]; /* loaded unconditionally: a select, not a branch */
          const float v = mask[j] > 0.0f ? d : 0.0f;
          o[j] = v;
          acc[j] += v;
        }
      }
      for (int j = 0; j < width; j++) partial[c0 + j] += acc[j];
    }
  }
}

/* ------------------------------------------------------------------------------------------------- thread pool */

/*
 * One pool of worker threads, started on first use and grown to the largest count asked for, so that a call costs a
 * wake-up rather than a pthread_create per thread. A job is `units` independent pieces of work, fn(ctx, unit): the
 * caller and up to threads - 1 workers take units in turn from a shared counter, so the work balances itself (a thread
 * that is held up, on a shared machine, leaves its units to the others, and a short last unit costs little). A unit
 * writes only its own part of the output (or its own partial sums, added afterwards in unit order), so every result is
 * the same whatever thread ran which unit.
 *
 * One job at a time: a call that finds the pool busy (another JavaScript thread's call) runs its units itself.
 */
typedef void (*UnitFn)(void *ctx, int unit);

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t wake, done;
  int workers;              /* started */
  unsigned long generation; /* bumped for each job */
  int helpers;              /* workers 0 .. helpers - 1 take part in the current job */
  int running;              /* helpers not yet done with it */
  UnitFn fn;
  void *ctx;
  int units;
  int next; /* the next unit to take (atomic) */
} Pool;

static Pool pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, 0, NULL, NULL, 0, 0 };
static pthread_mutex_t pool_busy = PTHREAD_MUTEX_INITIALIZER;
static unsigned long worker_start[MAX_THREADS]; /* the generation each worker was started in: it joins later jobs only */

static void take_units(UnitFn fn, void *ctx, int units) {
  for (;;) {
    const int u = __atomic_fetch_add(&pool.next, 1, __ATOMIC_RELAXED);
    if (u >= units) return;
    fn(ctx, u);
  }
}

static void *pool_worker(void *arg) {
  const int index = (int)(intptr_t)arg;
  pthread_mutex_lock(&pool.lock);
  unsigned long seen = worker_start[index];
  for (;;) {
    while (pool.generation == seen) pthread_cond_wait(&pool.wake, &pool.lock);
    seen = pool.generation;
    if (index >= pool.helpers) continue;
    const UnitFn fn = pool.fn;
    void *ctx = pool.ctx;
    const int units = pool.units;
    pthread_mutex_unlock(&pool.lock);
    take_units(fn, ctx, units);
    pthread_mutex_lock(&pool.lock);
    if (--pool.running == 0) pthread_cond_signal(&pool.done);
  }
  return NULL;
}

/* Runs fn(ctx, 0 .. units - 1) on up to `threads` threads (this one included); returns when all are done. */
static void parallel_for(UnitFn fn, void *ctx, int units, int threads) {
  if (threads > units) threads = units;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (threads <= 1 || pthread_mutex_trylock(&pool_busy) != 0) {
    for (int u = 0; u < units; u++) fn(ctx, u);
    return;
  }
  pthread_mutex_lock(&pool.lock);
  while (pool.workers < threads - 1) {
    pthread_t id;
    worker_start[pool.workers] = pool.generation;
    if (pthread_create(&id, NULL, pool_worker, (void *)(intptr_t)pool.workers) != 0) break; /* fewer threads, same result */
    pthread_detach(id);
    pool.workers++;
  }
  pool.helpers = threads - 1 < pool.workers ? threads - 1 : pool.workers;
  pool.running = pool.helpers;
  pool.fn = fn;
  pool.ctx = ctx;
  pool.units = units;
  __atomic_store_n(&pool.next, 0, __ATOMIC_RELAXED);
  pool.generation++;
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
  take_units(fn, ctx, units);
  pthread_mutex_lock(&pool.lock);
  while (pool.running > 0) pthread_cond_wait(&pool.done, &pool.lock);
  pthread_mutex_unlock(&pool.lock);
  pthread_mutex_unlock(&pool_busy);
}

/*
 * Per-thread scratch buffers (im2col rows, packed panels), kept between calls and grown as needed: a unit of work
 * allocates nothing. Freed when the thread ends (a gradient worker's JavaScript thread).
 */
enum { SCRATCH_SLOTS = 2 };
typedef struct {
  float *p[SCRATCH_SLOTS];
  size_t n[SCRATCH_SLOTS];
} Scratch;

static pthread_key_t scratch_key;
static int scratch_ready = -1; /* 0 once the key exists */
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *arg) {
  Scratch *s = arg;
  for (int i = 0; i < SCRATCH_SLOTS; i++) free(s->p[i]);
  free(s);
}

static void scratch_init(void) { scratch_ready = pthread_key_create(&scratch_key, scratch_free); }

/* This thread's buffer `slot` of at least `floats` floats (contents undefined), or NULL when out of memory. */
static float *scratch(int slot, size_t floats) {
  pthread_once(&scratch_once, scratch_init);
  if (scratch_ready != 0) return NULL;
  Scratch *s = pthread_getspecific(scratch_key);
  if (s == NULL) {
    s = calloc(1, sizeof *s);
    if (s == NULL || pthread_setspecific(scratch_key, s) != 0) {
      free(s);
      return NULL;
    }
  }
  if (s->n[slot] < floats) {
    free(s->p[slot]);
    s->p[slot] = malloc(floats * sizeof(float));
    s->n[slot] = s->p[slot] != NULL ? floats : 0;
  }
  return s->p[slot];
}

/* What the convolution units share. */
typedef struct {
  const Conv *p;
  const Kernel *kernel;  /* the micro-kernel, read once per call */
  const float *packed_b; /* forward and input gradient: the whole B, packed per depth block */
  float *partials;       /* filter gradient: one dW^T (Co x K) per chunk */
  int chunk, chunks;     /* filter gradient: output rows per chunk, and the chunks */
  int failed;            /* set (atomically) by a unit that could not get its scratch memory */
} Job;

static void fail(Job *job) { __atomic_store_n(&job->failed, 1, __ATOMIC_RELAXED); }

/* Columns of B a packing unit packs: 8 panels of one depth block. */
#define PACK_COLS (8 * NR)

typedef struct {
  const float *src;
  int depth, cols, transposed, ld;
  float *packed;
} PackJob;

/* Unit u: depth block u / groups, columns (u % groups) * PACK_COLS .. (groups: ceil(cols / PACK_COLS)). */
static void pack_unit(void *arg, int u) {
  const PackJob *j = arg;
  const int groups = (j->cols + PACK_COLS - 1) / PACK_COLS;
  const int k0 = u / groups * KC;
  const int c0 = u % groups * PACK_COLS;
  const int kc = j->depth - k0 < KC ? j->depth - k0 : KC;
  const int nc = j->cols - c0 < PACK_COLS ? j->cols - c0 : PACK_COLS;
  float *dst = j->packed + (size_t)k0 * round_up(j->cols, NR) + (size_t)(c0 / NR) * kc * NR;
  if (j->transposed) pack_b_transposed(j->src + (size_t)c0 * j->ld, j->ld, k0, kc, nc, dst);
  else pack_b(j->src + c0, j->ld, k0, kc, nc, dst);
}

/*
 * B (depth x cols: the filter, or its transpose) packed once, on every thread: depth block kb starts at
 * kb * KC * round_up(cols, NR), each of its panels kc x NR.
 */
static float *pack_whole_b(const float *src, int depth, int cols, int transposed, int ld, int threads) {
  const int width = round_up(cols, NR);
  PackJob job = { .src = src, .depth = depth, .cols = cols, .transposed = transposed, .ld = ld };
  job.packed = malloc((size_t)round_up(depth, KC) * width * sizeof(float));
  if (job.packed == NULL) return NULL;
  parallel_for(pack_unit, &job, (depth + KC - 1) / KC * ((cols + PACK_COLS - 1) / PACK_COLS), threads);
  return job.packed;
}

/* ------------------------------------------------------------------------------------------------------ forward */

/* Unit u: output rows u * MC .. u * MC + MC - 1 (im2col rows, then the product over every depth block). */
static void forward_unit(void *arg, int u) {
  Job *job = arg;
  const Conv *p = job->p;
  const int m = p->n * p->ho * p->wo;
  const int k = p->kh * p->kw * p->ci;
  const int width = round_up(p->co, NR);
  const int direct = is_pointwise(p);
  const int ldr = row_stride(k);
  const int m0 = u * MC;
  const int mc = m - m0 < MC ? m - m0 : MC;
  float *rows = direct ? NULL : scratch(0, (size_t)MC * ldr);
  if (!direct && rows == NULL) {
    fail(job);
    return;
  }
  if (!direct) im2col_rows(p, m0, mc, rows, ldr, 0);
  const float *a = direct ? p->x + (size_t)m0 * k : rows;
  float *c = p->out + (size_t)m0 * p->co;
  for (int k0 = 0; k0 < k; k0 += KC) {
    const int kc = k - k0 < KC ? k - k0 : KC;
    const int last = k0 + kc >= k;
    const Operand op = { a + k0, direct ? k : ldr, 1 };
    block_product(job->kernel, mc, p->co, kc, op, job->packed_b + (size_t)k0 * width, c, p->co, k0 > 0, last ? p->bias : NULL, last && p->relu);
  }
}

/* ----------------------------------------------------------------------------------------------- input gradient */

/* col2im of im2col rows m0 .. m0 + mc - 1 (`cols`, K floats each): adds each row's patch back into dx, a filter row
 * (kw * Ci consecutive floats) at a time. */
static void col2im_rows(const Conv *p, const float *cols, int m0, int mc) {
  const int k = p->kh * p->kw * p->ci;
  const int span = p->kw * p->ci;
  Pixel q = pixel_of(p, m0);
  for (int r = 0; r < mc; r++, next_pixel(p, &q)) {
    const float *row = cols + (size_t)r * k;
    const int ix0 = q.ox * p->sw - p->pl;
    int j0, j1;
    inside_taps(p, ix0, &j0, &j1);
    if (j0 == j1) continue;
    const int count = (j1 - j0) * p->ci;
    for (int i = 0; i < p->kh; i++) {
      const int iy = q.oy * p->sh + i - p->pt;
      if (iy < 0 || iy >= p->h) continue;
      float *d = p->out + (((size_t)q.n * p->h + iy) * p->w + (size_t)(ix0 + j0)) * p->ci;
      const float *s = row + (size_t)i * span + j0 * p->ci;
      for (int c2 = 0; c2 < count; c2++) d[c2] += s[c2];
    }
  }
}

/*
 * Unit u: image u's dx (its col2im touches only that image). With p->mask, each band of dx rows that no later output
 * row touches is masked and summed as soon as it is final (the bands depend on the shape only), while it is in cache.
 */
static void input_gradient_unit(void *arg, int u) {
  Job *job = arg;
  const Conv *p = job->p;
  const int k = p->kh * p->kw * p->ci;
  const int width = round_up(k, NR);
  const int per_image = p->ho * p->wo;
  const int direct = is_pointwise(p); /* col2im is the identity: products go straight into dx */
  float *cols = direct ? NULL : scratch(0, (size_t)MC * k);
  if (!direct && cols == NULL) {
    fail(job);
    return;
  }
  const size_t image_size = (size_t)p->h * p->w * p->ci;
  if (!direct) memset(p->out + (size_t)u * image_size, 0, image_size * sizeof(float));
  const int end = (u + 1) * per_image;
  double *sums = p->mask != NULL ? p->mask_sums + (size_t)u * p->ci : NULL;
  for (int c = 0; sums != NULL && c < p->ci; c++) sums[c] = 0.0;
  int done = 0; /* rows of dx masked */
  for (int m0 = u * per_image; m0 < end; m0 += MC) {
    const int mc = end - m0 < MC ? end - m0 : MC;
    /* cols = dy[m0 .. m0 + mc) . filter^T, depth Co */
    const float *a = p->dy + (size_t)m0 * p->co;
    float *c = direct ? p->out + (size_t)m0 * k : cols;
    for (int k0 = 0; k0 < p->co; k0 += KC) {
      const int kc = p->co - k0 < KC ? p->co - k0 : KC;
      const Operand op = { a + k0, p->co, 1 };
      block_product(job->kernel, mc, k, kc, op, job->packed_b + (size_t)k0 * width, c, k, k0 > 0, NULL, 0);
    }
    if (!direct) col2im_rows(p, cols, m0, mc);
    if (p->mask == NULL) continue;
    /* the ReLU gradient of x on the rows of dx no later output row touches */
    const int last = m0 + mc - 1 - u * per_image;                                      /* the image's last pixel so far */
    const int complete = last % p->wo == p->wo - 1 ? last / p->wo + 1 : last / p->wo; /* its output rows done */
    int limit = m0 + mc == end ? p->h : complete * p->sh - p->pt;                       /* rows of dx now final */
    if (limit > p->h) limit = p->h;
    if (limit > done) {
      const size_t at = (size_t)u * p->h * p->w * p->ci;
      masked_column_sums(p->out + at, p->mask + at, p->out + at, p->ci, done * p->w, limit * p->w, sums);
      done = limit;
    }
  }
}

/* ---------------------------------------------------------------------------------------------- filter gradient */

/* Unit u: dW^T (Co x K) = dy^T . im2col(x) over output rows u * chunk .. u * chunk + chunk - 1, into partial u. */
static void filter_gradient_unit(void *arg, int u) {
  Job *job = arg;
  const Conv *p = job->p;
  const int m = p->n * p->ho * p->wo;
  const int k = p->kh * p->kw * p->ci;
  const int direct = is_pointwise(p);
  const int begin = u * job->chunk;
  const int end = m - begin < job->chunk ? m : begin + job->chunk;
  float *partial = job->partials + (size_t)u * k * p->co;
  float *pb = scratch(1, (size_t)round_up(k, NR) * KC);
  if (pb == NULL) {
    fail(job);
    return;
  }
  for (int m0 = begin; m0 < end; m0 += KC) {
    const int kc = end - m0 < KC ? end - m0 : KC;
    if (direct) pack_b(p->x, k, m0, kc, k, pb);
    else im2col_rows(p, m0, kc, pb, 0, kc);
    /* A = dy^T, read in place: element (c, m) at dy[m * Co + c] */
    const Operand op = { p->dy + (size_t)m0 * p->co, 1, p->co };
    block_product(job->kernel, p->co, k, kc, op, pb, partial, k, m0 > begin, NULL, 0);
  }
}

/* Filter columns a reduction unit transposes: dW rows q0 .. q0 + REDUCE_ROWS - 1, all Co columns (a few KB). */
#define REDUCE_ROWS 64

/* Unit u: dW[q][c] = sum over chunks (in chunk order) of partial[c][q], for q in unit u's rows. */
static void filter_reduce_unit(void *arg, int u) {
  Job *job = arg;
  const Conv *p = job->p;
  const int k = p->kh * p->kw * p->ci;
  const int chunks = job->chunks;
  const size_t size = (size_t)k * p->co;
  const int q0 = u * REDUCE_ROWS;
  const int q1 = k - q0 < REDUCE_ROWS ? k : q0 + REDUCE_ROWS;
  for (int c = 0; c < p->co; c++) {
    const float *src = job->partials + (size_t)c * k;
    for (int q = q0; q < q1; q++) {
      float s = src[q];
      for (int t = 1; t < chunks; t++) s += src[size * t + q];
      p->out[(size_t)q * p->co + c] = s;
    }
  }
}

/* ------------------------------------------------------------------------ direct convolution (tiny input depth) */

/*
 * Where K = kh * kw * Ci is tiny (the stem: 4 x 4 x 1 = 16), im2col and packing cost more than the product, so the
 * forward and the filter gradient run directly: each output pixel's taps are read from x where they lie, Co in 16-lane
 * vectors (one AVX-512 register, two AVX2 ones, four SSE/NEON ones: GCC/Clang vector extensions compiled once per
 * micro-kernel's instruction set, the one in use chosen by the kernel). Ci <= 4, K <= DIRECT_MAX_K, Co a multiple of
 * 16 up to DIRECT_CO.
 */
#define DIRECT_MAX_K 64
#define DIRECT_CO 64

static int is_direct(const Conv *p) {
  /* Ci <= 4: the im2col runs are a few floats; at Ci = 16 (the 2x2 shortcut, K = 64) the product wins again */
  return p->ci <= 4 && p->kh * p->kw * p->ci <= DIRECT_MAX_K && p->co % 16 == 0 && p->co <= DIRECT_CO && !is_pointwise(p);
}

/*
 * Visits the taps of output pixel (n, oy, ox) that fall inside the image, a filter row at a time: BODY runs with
 * `s` (the row's first inside value of x), `f0` (its index in the filter's K rows) and `c0 .. c1` (the inside columns
 * of the row, kw * Ci floats, read s[t - c0] for column t), so that the usual inside case is one short loop.
 */
#define CXR8_DIRECT_TAPS(p, n, oy, ox, BODY)                                                                         \
  do {                                                                                                               \
    const int ix0_ = (ox) * (p)->sw - (p)->pl, span_ = (p)->kw * (p)->ci;                                            \
    int j0_, j1_;                                                                                                    \
    inside_taps((p), ix0_, &j0_, &j1_);                                                                              \
    const int c0 = j0_ * (p)->ci, c1 = j1_ * (p)->ci;                                                                \
    for (int i_ = 0; i_ < (p)->kh && c0 < c1; i_++) {                                                                \
      const int iy_ = (oy) * (p)->sh + i_ - (p)->pt;                                                                 \
      if (iy_ < 0 || iy_ >= (p)->h) continue;                                                                        \
      const float *s = (p)->x + (((size_t)(n) * (p)->h + iy_) * (p)->w + (size_t)(ix0_ + j0_)) * (p)->ci;            \
      const int f0 = i_ * span_;                                                                                     \
      BODY                                                                                                           \
    }                                                                                                                \
  } while (0)

/* Forward, unit u: output row u (image u / Ho, row u % Ho), y = sum over taps of x * filter row (+ bias, ReLU). */
#define CXR8_DIRECT_FORWARD(NAME, TARGET)                                                                            \
  TARGET static void NAME(const Conv *p, int u) {                                                                    \
    const int n = u / p->ho, oy = u % p->ho, blocks = p->co / 16, co = p->co;                                        \
    const v16f zero = { 0 };                                                                                         \
    float *y = p->out + ((size_t)n * p->ho + oy) * p->wo * co;                                                       \
    for (int ox = 0; ox < p->wo; ox++, y += co) {                                                                    \
      for (int b = 0; b < blocks; b++) {                                                                             \
        v16f acc = p->bias != NULL ? *(const v16f *)(p->bias + 16 * b) : zero;                                       \
        const float *fb = p->filter + 16 * b;                                                                        \
        CXR8_DIRECT_TAPS(p, n, oy, ox, {                                                                             \
          for (int t = c0; t < c1; t++) acc += s[t - c0] * *(const v16f *)(fb + (size_t)(f0 + t) * co);              \
        });                                                                                                          \
        if (p->relu) acc = (v16f)((v16i)acc & (acc > zero)); /* lanes > 0 keep their bits, others +0 */              \
        *(v16f *)(y + 16 * b) = acc;                                                                                 \
      }                                                                                                              \
    }                                                                                                                \
  }

/*
 * Filter gradient, unit u: image u's dW (K x Co) = sum over its output pixels of x_tap * dy row, in float per output
 * row, added into the unit's double partial; the partials are summed in image order (see conv_filter_gradient_direct).
 */
#define CXR8_DIRECT_FILTER(NAME, TARGET)                                                                             \
  TARGET static void NAME(const Conv *p, int u, double *partial) {                                                   \
    const int k = p->kh * p->kw * p->ci, blocks = p->co / 16;                                                        \
    const v16f zero = { 0 };                                                                                         \
    v16f acc[DIRECT_MAX_K * DIRECT_CO / 16];                                                                         \
    for (int q = 0; q < k * p->co; q++) partial[q] = 0.0;                                                            \
    for (int oy = 0; oy < p->ho; oy++) {                                                                             \
      for (int q = 0; q < k * blocks; q++) acc[q] = zero;                                                            \
      const float *dy = p->dy + ((size_t)u * p->ho + oy) * p->wo * p->co;                                            \
      for (int ox = 0; ox < p->wo; ox++, dy += p->co) {                                                              \
        for (int b = 0; b < blocks; b++) {                                                                           \
          const v16f d = *(const v16f *)(dy + 16 * b);                                                               \
          v16f *ab = acc + b;                                                                                        \
          CXR8_DIRECT_TAPS(p, u, oy, ox, {                                                                           \
            for (int t = c0; t < c1; t++) ab[(f0 + t) * blocks] += s[t - c0] * d;                                    \
          });                                                                                                        \
        }                                                                                                            \
      }                                                                                                              \
      for (int q = 0; q < k * blocks; q++) {                                                                         \
        for (int l = 0; l < 16; l++) partial[q * 16 + l] += acc[q][l];                                               \
      }                                                                                                              \
    }                                                                                                                \
  }

CXR8_PER_ISA(CXR8_DIRECT_FORWARD, direct_forward)
CXR8_PER_ISA(CXR8_DIRECT_FILTER, direct_filter)

typedef struct {
  const Conv *p;
  const Kernel *kernel;
  double *partials; /* filter gradient: K x Co per image */
} DirectJob;

static void direct_forward_unit(void *arg, int u) {
  const DirectJob *j = arg;
  CXR8_BY_ISA(j->kernel, direct_forward, (j->p, u));
}

static void direct_filter_unit(void *arg, int u) {
  const DirectJob *j = arg;
  double *partial = j->partials + (size_t)u * j->p->kh * j->p->kw * j->p->ci * j->p->co;
  CXR8_BY_ISA(j->kernel, direct_filter, (j->p, u, partial));
}

static int conv_forward_direct(const Conv *p, int threads) {
  const DirectJob job = { .p = p, .kernel = kernel };
  parallel_for(direct_forward_unit, (void *)&job, p->n * p->ho, threads);
  return 0;
}

/* One partial per image (units fixed by the shape), summed in image order: the same bits on any thread count. */
static int conv_filter_gradient_direct(const Conv *p, int threads) {
  const size_t size = (size_t)p->kh * p->kw * p->ci * p->co;
  DirectJob job = { .p = p, .kernel = kernel };
  job.partials = malloc(size * (p->n > 0 ? p->n : 1) * sizeof(double));
  if (job.partials == NULL) return -1;
  parallel_for(direct_filter_unit, &job, p->n, threads);
  for (size_t q = 0; q < size; q++) {
    double s = 0.0;
    for (int n = 0; n < p->n; n++) s += job.partials[size * n + q];
    p->out[q] = (float)s;
  }
  free(job.partials);
  return 0;
}

/* ------------------------------------------------------------------- Winograd F(2x2, 3x3): 3x3, stride 1, same */

/*
 * A 3x3 stride-1 convolution with one pixel of padding each side (tfjs's 'same') as Winograd's minimal filtering
 * F(2x2, 3x3) (Lavin and Gray, 2016): the output in 2x2 tiles, each from a 4x4 tile of the input, so that a tile costs
 * 16 products a channel pair instead of 36. With B, G and A the F(2, 3) transforms below,
 *   U[xi] = (G g G^T)[xi]     per filter pair (depth channel, output channel): 16 Ci x Co matrices
 *   V_t[xi] = (B^T d_t B)[xi] per input tile t and depth channel
 *   M_t[xi] = V_t[xi] . U[xi] one matrix product per xi (the micro-kernels), over a block of tiles
 *   y_t = A^T M_t A           the 2x2 outputs (+ bias, ReLU)
 * The input gradient is the same forward over dy with the filter turned by 180 degrees and its Ci and Co swapped
 * (padding 3 - 1 - 1 = 1 again). The filter gradient follows from the forward's linearity: per xi,
 * dU[xi] = sum over tiles of V_t[xi]^T . (A dy_t A^T)[xi], one product of depth `tiles` per block, then dW = G^T dU G.
 * The transforms' additions are in float; against the cpu backend the results differ by rounding only (the tests
 * hold them to 1e-4, as the other paths). CXR8_WINOGRAD=0 or setWinograd(false) turns the path off (im2col again).
 */
#define WINO_TILES 96         /* tiles of a forward / input-gradient block: a multiple of every micro-kernel's MR */
#define WINO_FILTER_TILES 96 /* tiles of a filter-gradient block: the depth of its products */
#define WINO_CHUNKS 8        /* filter gradient: partial sums, each over a run of blocks (units of work) */

static int winograd_on = 1;

static int is_winograd(const Conv *p) {
  return winograd_on && p->kh == 3 && p->kw == 3 && p->sh == 1 && p->sw == 1 && p->pt == 1 && p->pl == 1 && p->ho == p->h &&
         p->wo == p->w && p->ci >= 16 && p->co >= 16;
}

/* The size of one xi's packed U: depth rounded up to whole depth blocks, cols to whole panels (pack_whole_b's layout). */
static size_t wino_packed_size(int depth, int cols) { return (size_t)round_up(depth, KC) * round_up(cols, NR); }

typedef struct {
  const float *f; /* [3, 3, Ci, Co] */
  int ci, co, flip; /* flip: the input gradient's filter (turned by 180 degrees, depth Co, cols Ci) */
  float *u;         /* 16 packed U (see wino_packed_size) */
} WinoFilterJob;

/* Unit u: U of depth channels u * 16 .. u * 16 + 15, every column, written into their packed places. */
static void wino_filter_unit(void *arg, int unit) {
  const WinoFilterJob *j = arg;
  const int depth = j->flip ? j->co : j->ci, cols = j->flip ? j->ci : j->co, width = round_up(cols, NR);
  const size_t per_xi = wino_packed_size(depth, cols);
  const int a1 = depth - unit * 16 < 16 ? depth : unit * 16 + 16;
  for (int a = unit * 16; a < a1; a++) {
    const int k0 = a / KC * KC, kc = depth - k0 < KC ? depth - k0 : KC;
    for (int b = 0; b < width; b++) {
      float e[16] = { 0 };
      if (b < cols) {
        float g[3][3], t[4][3];
        for (int i = 0; i < 3; i++) {
          for (int s = 0; s < 3; s++) {
            g[i][s] = j->flip ? j->f[((size_t)((2 - i) * 3 + 2 - s) * j->ci + b) * j->co + a] : j->f[((size_t)(i * 3 + s) * j->ci + a) * j->co + b];
          }
        }
        for (int s = 0; s < 3; s++) { /* G g */
          t[0][s] = g[0][s];
          t[1][s] = 0.5f * (g[0][s] + g[1][s] + g[2][s]);
          t[2][s] = 0.5f * (g[0][s] - g[1][s] + g[2][s]);
          t[3][s] = g[2][s];
        }
        for (int r = 0; r < 4; r++) { /* (G g) G^T */
          e[r * 4 + 0] = t[r][0];
          e[r * 4 + 1] = 0.5f * (t[r][0] + t[r][1] + t[r][2]);
          e[r * 4 + 2] = 0.5f * (t[r][0] - t[r][1] + t[r][2]);
          e[r * 4 + 3] = t[r][2];
        }
      }
      const size_t at = (size_t)k0 * width + (size_t)(b / NR) * kc * NR + (size_t)(a - k0) * NR + b % NR;
      for (int xi = 0; xi < 16; xi++) j->u[xi * per_xi + at] = e[xi];
    }
  }
}

/* The 16 packed U of a filter (flip: the input gradient's), on every thread; NULL when out of memory. */
static float *wino_filter(const float *f, int ci, int co, int flip, int threads) {
  const int depth = flip ? co : ci, cols = flip ? ci : co;
  WinoFilterJob job = { .f = f, .ci = ci, .co = co, .flip = flip };
  job.u = malloc(16 * wino_packed_size(depth, cols) * sizeof(float));
  if (job.u == NULL) return NULL;
  parallel_for(wino_filter_unit, &job, (depth + 15) / 16, threads);
  return job.u;
}

/*
 * 16 channels of one tile's transform, as GCC/Clang vectors (lanes past the channels hold zeros or are not stored):
 *   input  V = B^T d B, d 4x4:   rows then columns: (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
 *   dy     W = A dy A^T, dy 2x2: (g0, g0 + g1, g0 - g1, -g1)
 *   output Y = A^T m A, m 4x4:   (m0 + m1 + m2, m1 - m2 - m3)
 */
static inline __attribute__((always_inline)) void wino_bt(v16f d[16]) {
  for (int s = 0; s < 4; s++) {
    const v16f d0 = d[s], d1 = d[4 + s], d2 = d[8 + s], d3 = d[12 + s];
    d[s] = d0 - d2;
    d[4 + s] = d1 + d2;
    d[8 + s] = d2 - d1;
    d[12 + s] = d1 - d3;
  }
  for (int r = 0; r < 4; r++) {
    v16f *e = d + 4 * r;
    const v16f e0 = e[0], e1 = e[1], e2 = e[2], e3 = e[3];
    e[0] = e0 - e2;
    e[1] = e1 + e2;
    e[2] = e2 - e1;
    e[3] = e1 - e3;
  }
}

/* Loads `lanes` floats (16: a whole vector) of p into *v, zeros past them (vectors by pointer: the same ABI everywhere). */
static inline __attribute__((always_inline)) void load_lanes(v16f *v, const float *p, int lanes) {
  if (lanes == 16) {
    *v = *(const v16f *)p;
    return;
  }
  v16f t = { 0 };
  for (int l = 0; l < lanes; l++) t[l] = p[l];
  *v = t;
}

static inline __attribute__((always_inline)) void store_lanes(float *p, const v16f *v, int lanes) {
  if (lanes == 16) {
    *(v16f *)p = *v;
    return;
  }
  for (int l = 0; l < lanes; l++) p[l] = (*v)[l];
}

/* Where tiles come from and go: a tensor [n, h, w, c] in 2x2 output tiles, tw a row, th rows, per image. */
typedef struct {
  const float *src; /* the input: x (forward, filter gradient) or dy (input gradient) */
  int h, w, c;      /* its height, width and channels (= the output's height and width) */
  int tw, th;       /* tiles a row and tile rows */
} Tiles;

/* Tile g (numbered over the images, row-major in each): its image, tile row and column, and its output rows and columns inside the image (1 or 2). */
typedef struct {
  int n, ty, tx, rows, cols;
} TileAt;

static inline TileAt tile_at(const Tiles *s, long g) {
  const int per_image = s->tw * s->th, in_image = (int)(g % per_image);
  const int ty = in_image / s->tw, tx = in_image % s->tw;
  return (TileAt){ .n = (int)(g / per_image), .ty = ty, .tx = tx, .rows = s->h - 2 * ty < 2 ? 1 : 2, .cols = s->w - 2 * tx < 2 ? 1 : 2 };
}

/*
 * V of `count` tiles from tile g0 on (numbered over the images, row-major in each) into v: element (xi, t, channel) at
 * v[xi * xs + t * ld + channel]; `zeros` holds src->c zeros (the padding).
 */
static inline __attribute__((always_inline)) void wino_input_body(const Tiles *s, long g0, int count, const float *zeros, float *v, size_t xs, int ld) {
  for (int t = 0; t < count; t++) {
    const TileAt a = tile_at(s, g0 + t);
    const int n = a.n, ty = a.ty, tx = a.tx;
    const float *at[16];
    for (int r = 0; r < 4; r++) {
      const int iy = 2 * ty - 1 + r;
      for (int q = 0; q < 4; q++) {
        const int ix = 2 * tx - 1 + q;
        at[r * 4 + q] = iy >= 0 && iy < s->h && ix >= 0 && ix < s->w ? s->src + (((size_t)n * s->h + iy) * s->w + ix) * s->c : zeros;
      }
    }
    float *o = v + (size_t)t * ld;
    for (int c = 0; c < s->c; c += 16) {
      const int lanes = s->c - c < 16 ? s->c - c : 16;
      v16f d[16];
      for (int e = 0; e < 16; e++) load_lanes(&d[e], at[e] + c, lanes);
      wino_bt(d);
      for (int e = 0; e < 16; e++) store_lanes(o + e * xs + c, &d[e], lanes);
    }
  }
}

/*
 * Y of `count` tiles from tile g0 on, from m (element (xi, t, channel) at m[xi * xs + t * ld + channel]) into dst
 * ([n, h, w, channels]), + bias, ReLU; outputs past the image's edge are dropped.
 */
static inline __attribute__((always_inline)) void wino_output_body(const Tiles *s, long g0, int count, const float *m, size_t xs, int ld, int channels,
                                                                    float *dst, const float *bias, int relu) {
  const v16f zero = { 0 };
  for (int t = 0; t < count; t++) {
    const TileAt a = tile_at(s, g0 + t);
    const int n = a.n, ty = a.ty, tx = a.tx, rows = a.rows, cols = a.cols;
    const float *mt = m + (size_t)t * ld;
    float *y = dst + (((size_t)n * s->h + 2 * ty) * s->w + 2 * tx) * channels;
    for (int c = 0; c < channels; c += 16) {
      const int lanes = channels - c < 16 ? channels - c : 16;
      v16f e[8];
      for (int q = 0; q < 4; q++) {
        v16f m0, m1, m2, m3;
        load_lanes(&m0, mt + c + q * xs, lanes);
        load_lanes(&m1, mt + c + (4 + q) * xs, lanes);
        load_lanes(&m2, mt + c + (8 + q) * xs, lanes);
        load_lanes(&m3, mt + c + (12 + q) * xs, lanes);
        e[q] = m0 + m1 + m2;
        e[4 + q] = m1 - m2 - m3;
      }
      v16f b = zero;
      if (bias != NULL) load_lanes(&b, bias + c, lanes);
      for (int r = 0; r < rows; r++) {
        const v16f *er = e + 4 * r;
        v16f out[2] = { er[0] + er[1] + er[2] + b, er[1] - er[2] - er[3] + b };
        for (int q = 0; q < cols; q++) {
          if (relu) out[q] = (v16f)((v16i)out[q] & (out[q] > zero));
          store_lanes(y + ((size_t)r * s->w + q) * channels + c, &out[q], lanes);
        }
      }
    }
  }
}

/*
 * W = A dy A^T of `count` tiles from tile g0 on (dy [n, h, w, co]) into NR-column panels of `count` rows (element (xi,
 * t, channel) at w[xi * xs + (channel / NR) * count * NR + t * NR + channel % NR]), zero-padded to whole panels.
 */
static inline __attribute__((always_inline)) void wino_dy_body(const float *dy, const Tiles *s, int co, long g0, int count, float *w, size_t xs) {
  const v16f zero = { 0 };
  for (int t = 0; t < count; t++) {
    const TileAt a = tile_at(s, g0 + t);
    const int n = a.n, ty = a.ty, tx = a.tx, rows = a.rows, cols = a.cols;
    const float *d = dy + (((size_t)n * s->h + 2 * ty) * s->w + 2 * tx) * co;
    for (int c = 0; c < co; c += 16) {
      const int lanes = co - c < 16 ? co - c : 16;
      v16f g00, g01 = zero, g10 = zero, g11 = zero;
      load_lanes(&g00, d + c, lanes);
      if (cols > 1) load_lanes(&g01, d + co + c, lanes);
      if (rows > 1) load_lanes(&g10, d + (size_t)s->w * co + c, lanes);
      if (rows > 1 && cols > 1) load_lanes(&g11, d + ((size_t)s->w + 1) * co + c, lanes);
      const v16f e[4][2] = { { g00, g01 }, { g00 + g10, g01 + g11 }, { g00 - g10, g01 - g11 }, { -g10, -g11 } };
      float *o = w + (size_t)(c / NR) * count * NR + (size_t)t * NR;
      for (int r = 0; r < 4; r++) {
        const v16f q[4] = { e[r][0], e[r][0] + e[r][1], e[r][0] - e[r][1], -e[r][1] };
        for (int k = 0; k < 4; k++) *(v16f *)(o + (r * 4 + k) * xs) = q[k]; /* lanes past co are zeros: the padding */
      }
    }
  }
}

#define CXR8_WINO_INPUT(NAME, TARGET)                                                                                \
  TARGET static void NAME(const Tiles *s, long g0, int count, const float *zeros, float *v, size_t xs, int ld) {     \
    wino_input_body(s, g0, count, zeros, v, xs, ld);                                                                 \
  }
#define CXR8_WINO_OUTPUT(NAME, TARGET)                                                                               \
  TARGET static void NAME(const Tiles *s, long g0, int count, const float *m, size_t xs, int ld, int channels, float *dst, \
                          const float *bias, int relu) {                                                             \
    wino_output_body(s, g0, count, m, xs, ld, channels, dst, bias, relu);                                            \
  }
#define CXR8_WINO_DY(NAME, TARGET)                                                                                   \
  TARGET static void NAME(const float *dy, const Tiles *s, int co, long g0, int count, float *w, size_t xs) {        \
    wino_dy_body(dy, s, co, g0, count, w, xs);                                                                       \
  }
CXR8_PER_ISA(CXR8_WINO_INPUT, wino_input)
CXR8_PER_ISA(CXR8_WINO_OUTPUT, wino_output)
CXR8_PER_ISA(CXR8_WINO_DY, wino_dy)

/* What the Winograd units share. */
typedef struct {
  const Kernel *kernel;
  Tiles tiles;
  const float *zeros;   /* tiles.c zeros */
  const float *u;       /* forward / input gradient: the 16 packed U */
  int cols;             /* the output's channels */
  float *dst;
  const float *bias;
  int relu;
  int band, bands;      /* tile rows a unit, units an image */
  const float *mask;    /* input gradient: NULL, or the ReLU's output (dst's shape) */
  double *sums;         /* with mask: cols sums per unit */
  const float *dy;      /* filter gradient */
  int co;               /* filter gradient: dy's channels */
  long total, chunk;    /* filter gradient: tiles in all, and a chunk's */
  int chunks;
  float *partials;      /* filter gradient: 16 x Ci x Co per chunk */
  int failed;
} WinoJob;

/* Unit u: band u % bands of image u / bands, in blocks of WINO_TILES tiles: V, 16 products, Y (then the mask). */
static void wino_forward_unit(void *arg, int u) {
  WinoJob *job = arg;
  const Tiles *s = &job->tiles;
  const int n = u / job->bands, ty0 = u % job->bands * job->band;
  const int ty1 = s->th - ty0 < job->band ? s->th : ty0 + job->band;
  const int depth = s->c, width = round_up(job->cols, NR);
  const int ldv = row_stride(depth), ldm = row_stride(job->cols);
  const size_t vs = (size_t)WINO_TILES * ldv, ms = (size_t)WINO_TILES * ldm, us = wino_packed_size(depth, job->cols);
  float *v = scratch(0, 16 * vs), *m = scratch(1, 16 * ms);
  if (v == NULL || m == NULL) {
    __atomic_store_n(&job->failed, 1, __ATOMIC_RELAXED);
    return;
  }
  const long first = ((long)n * s->th + ty0) * s->tw, end = ((long)n * s->th + ty1) * s->tw;
  for (long g0 = first; g0 < end; g0 += WINO_TILES) {
    const int count = end - g0 < WINO_TILES ? (int)(end - g0) : WINO_TILES;
    CXR8_BY_ISA(job->kernel, wino_input, (s, g0, count, job->zeros, v, vs, ldv));
    for (int xi = 0; xi < 16; xi++) {
      for (int k0 = 0; k0 < depth; k0 += KC) {
        const int kc = depth - k0 < KC ? depth - k0 : KC;
        const Operand op = { v + xi * vs + k0, ldv, 1 };
        block_product(job->kernel, count, job->cols, kc, op, job->u + xi * us + (size_t)k0 * width, m + xi * ms, ldm, k0 > 0, NULL, 0);
      }
    }
    CXR8_BY_ISA(job->kernel, wino_output, (s, g0, count, m, ms, ldm, job->cols, job->dst, job->bias, job->relu));
  }
  if (job->mask == NULL) return;
  const int y0 = 2 * ty0, y1 = 2 * ty1 < s->h ? 2 * ty1 : s->h;
  const size_t at = (size_t)n * s->h * s->w * job->cols;
  double *sums = job->sums + (size_t)u * job->cols;
  for (int c = 0; c < job->cols; c++) sums[c] = 0.0;
  masked_column_sums(job->dst + at, job->mask + at, job->dst + at, job->cols, y0 * s->w, y1 * s->w, sums);
}

/* Unit u: dU (16 x Ci x Co) over tiles u * chunk .. (numbered over the images), into partial u: per block, V of x and
 * W of dy, then dU[xi] (+)= V[xi]^T . W[xi], V read in place as the left operand's columns. */
static void wino_filter_gradient_unit(void *arg, int u) {
  WinoJob *job = arg;
  const Tiles *s = &job->tiles;
  const int ci = s->c, co = job->co, ldv = row_stride(ci);
  const size_t vs = (size_t)WINO_FILTER_TILES * ldv, ws = (size_t)WINO_FILTER_TILES * round_up(co, NR), size = (size_t)ci * co;
  float *v = scratch(0, 16 * vs), *w = scratch(1, 16 * ws);
  if (v == NULL || w == NULL) {
    __atomic_store_n(&job->failed, 1, __ATOMIC_RELAXED);
    return;
  }
  float *partial = job->partials + (size_t)u * 16 * size;
  const long begin = (long)u * job->chunk, end = job->total - begin < job->chunk ? job->total : begin + job->chunk;
  for (long g0 = begin; g0 < end; g0 += WINO_FILTER_TILES) {
    const int count = end - g0 < WINO_FILTER_TILES ? (int)(end - g0) : WINO_FILTER_TILES;
    const size_t wsx = (size_t)count * round_up(co, NR); /* one xi's panels, of `count` rows */
    CXR8_BY_ISA(job->kernel, wino_input, (s, g0, count, job->zeros, v, vs, ldv));
    CXR8_BY_ISA(job->kernel, wino_dy, (job->dy, s, co, g0, count, w, wsx));
    for (int xi = 0; xi < 16; xi++) {
      const Operand op = { v + xi * vs, 1, ldv }; /* element (channel, tile) at v[tile * ldv + channel] */
      block_product(job->kernel, ci, co, count, op, w + xi * wsx, partial + xi * size, co, g0 > begin, NULL, 0);
    }
  }
}

/* Filter rows (depth channels) a reduction unit finishes. */
#define WINO_REDUCE_ROWS 8

/* Unit u: for channels u * 8 .. of Ci, dU summed over the chunks (in chunk order), then dW = G^T dU G. */
static void wino_filter_reduce_unit(void *arg, int u) {
  WinoJob *job = arg;
  const int ci = job->tiles.c, co = job->co;
  const size_t size = (size_t)ci * co;
  const int a1 = ci - u * WINO_REDUCE_ROWS < WINO_REDUCE_ROWS ? ci : u * WINO_REDUCE_ROWS + WINO_REDUCE_ROWS;
  for (int a = u * WINO_REDUCE_ROWS; a < a1; a++) {
    for (int b = 0; b < co; b++) {
      float d[16], e[3][4];
      for (int xi = 0; xi < 16; xi++) {
        const float *src = job->partials + xi * size + (size_t)a * co + b;
        float sum = src[0];
        for (int t = 1; t < job->chunks; t++) sum += src[16 * size * t];
        d[xi] = sum;
      }
      for (int q = 0; q < 4; q++) { /* G^T d */
        e[0][q] = d[q] + 0.5f * (d[4 + q] + d[8 + q]);
        e[1][q] = 0.5f * (d[4 + q] - d[8 + q]);
        e[2][q] = 0.5f * (d[4 + q] + d[8 + q]) + d[12 + q];
      }
      for (int i = 0; i < 3; i++) { /* (G^T d) G */
        float *o = job->dst + ((size_t)(i * 3) * ci + a) * co + b;
        o[0] = e[i][0] + 0.5f * (e[i][1] + e[i][2]);
        o[size] = 0.5f * (e[i][1] - e[i][2]);
        o[2 * size] = 0.5f * (e[i][1] + e[i][2]) + e[i][3];
      }
    }
  }
}

/* The tiles of a convolution's output (its input's height and width), read from src of c channels. */
static Tiles wino_tiles(const Conv *p, const float *src, int c) {
  return (Tiles){ .src = src, .h = p->h, .w = p->w, .c = c, .tw = (p->w + 1) / 2, .th = (p->h + 1) / 2 };
}

/*
 * Forward (flip = 0: x -> y, depth Ci) or input gradient (flip = 1: dy -> dx, depth Co), with units of whole tile
 * rows (bands) of one image, about two blocks each, so that every output is written by one unit and the masked
 * sums of a unit are over rows it finished.
 */
static int wino_forward(const Conv *p, int flip, int threads) {
  const int depth = flip ? p->co : p->ci;
  WinoJob job = { .kernel = kernel, .tiles = wino_tiles(p, flip ? p->dy : p->x, depth), .cols = flip ? p->ci : p->co, .dst = p->out,
                  .bias = flip ? NULL : p->bias, .relu = !flip && p->relu, .mask = flip ? p->mask : NULL };
  const int per_image = job.tiles.tw * job.tiles.th;
  job.bands = (per_image + 2 * WINO_TILES - 1) / (2 * WINO_TILES);
  if (job.bands > job.tiles.th) job.bands = job.tiles.th;
  job.band = (job.tiles.th + job.bands - 1) / job.bands;
  job.bands = (job.tiles.th + job.band - 1) / job.band;
  const int units = p->n * job.bands;
  float *zeros = calloc((size_t)depth, sizeof(float));
  float *u = wino_filter(p->filter, p->ci, p->co, flip, threads);
  double *sums = job.mask != NULL ? malloc((size_t)units * job.cols * sizeof(double)) : NULL;
  if (zeros == NULL || u == NULL || (job.mask != NULL && sums == NULL)) {
    free(zeros);
    free(u);
    free(sums);
    return -1;
  }
  job.zeros = zeros;
  job.u = u;
  job.sums = sums;
  parallel_for(wino_forward_unit, &job, units, threads);
  if (sums != NULL && !job.failed) { /* per image, its bands' sums in order */
    for (int n = 0; n < p->n; n++) {
      for (int c = 0; c < job.cols; c++) {
        double t = 0.0;
        for (int b = 0; b < job.bands; b++) t += sums[((size_t)n * job.bands + b) * job.cols + c];
        p->mask_sums[(size_t)n * job.cols + c] = t;
      }
    }
  }
  free(zeros);
  free(u);
  free(sums);
  return job.failed ? -1 : 0;
}

static int wino_filter_gradient(const Conv *p, int threads) {
  WinoJob job = { .kernel = kernel, .tiles = wino_tiles(p, p->x, p->ci), .dy = p->dy, .co = p->co, .dst = p->out };
  const size_t size = (size_t)p->ci * p->co;
  job.total = (long)p->n * job.tiles.tw * job.tiles.th;
  const long blocks = (job.total + WINO_FILTER_TILES - 1) / WINO_FILTER_TILES;
  /*
   * WINO_CHUNKS chunks of whole blocks (fewer where there are fewer blocks, or where their partials would pass 64 MB),
   * whatever the thread count: the same bits on 1 thread or 8.
   */
  long chunks = WINO_CHUNKS;
  const size_t cap = ((size_t)16 << 20) / (16 * size);
  if ((size_t)chunks > cap) chunks = cap > 0 ? (long)cap : 1;
  if (chunks > blocks) chunks = blocks;
  const long per_chunk = (blocks + chunks - 1) / chunks;
  job.chunk = per_chunk * WINO_FILTER_TILES;
  job.chunks = (int)((blocks + per_chunk - 1) / per_chunk);
  float *zeros = calloc((size_t)p->ci, sizeof(float));
  job.partials = malloc(16 * size * job.chunks * sizeof(float));
  if (zeros == NULL || job.partials == NULL) {
    free(zeros);
    free(job.partials);
    return -1;
  }
  job.zeros = zeros;
  parallel_for(wino_filter_gradient_unit, &job, job.chunks, threads);
  if (!job.failed) parallel_for(wino_filter_reduce_unit, &job, (p->ci + WINO_REDUCE_ROWS - 1) / WINO_REDUCE_ROWS, threads);
  free(zeros);
  free(job.partials);
  return job.failed ? -1 : 0;
}

/* ---------------------------------------------------------------------------------------------------- dispatch */

static int conv_forward(const Conv *p, int threads) {
  if (is_direct(p)) return conv_forward_direct(p, threads);
  if (is_winograd(p)) return wino_forward(p, 0, threads);
  const int m = p->n * p->ho * p->wo;
  const int k = p->kh * p->kw * p->ci;
  Job job = { .p = p, .kernel = kernel };
  float *packed_b = pack_whole_b(p->filter, k, p->co, 0, p->co, threads);
  if (packed_b == NULL) return -1;
  job.packed_b = packed_b;
  parallel_for(forward_unit, &job, (m + MC - 1) / MC, threads);
  free(packed_b);
  return job.failed ? -1 : 0;
}

static int conv_input_gradient(const Conv *p, int threads) {
  if (is_winograd(p)) return wino_forward(p, 1, threads);
  const int k = p->kh * p->kw * p->ci;
  Job job = { .p = p, .kernel = kernel };
  /* B = filter^T: depth Co, width K; filter is K x Co row-major */
  float *packed_b = pack_whole_b(p->filter, p->co, k, 1, p->co, threads);
  if (packed_b == NULL) return -1;
  job.packed_b = packed_b;
  parallel_for(input_gradient_unit, &job, p->n, threads);
  free(packed_b);
  return job.failed ? -1 : 0;
}

/* The input gradient masked by p->mask, and its column sums (over images in order, into sums: Ci values). */
static int conv_input_gradient_masked(Conv *p, float *sums, int threads) {
  p->mask_sums = malloc((size_t)p->n * p->ci * sizeof(double));
  if (p->mask_sums == NULL) return -1;
  const int status = conv_input_gradient(p, threads);
  for (int c = 0; c < p->ci; c++) {
    double s = 0.0;
    for (int n = 0; n < p->n; n++) s += p->mask_sums[(size_t)n * p->ci + c];
    sums[c] = (float)s;
  }
  free(p->mask_sums);
  p->mask_sums = NULL;
  return status;
}

static int conv_filter_gradient(const Conv *p, int threads) {
  if (is_direct(p)) return conv_filter_gradient_direct(p, threads);
  if (is_winograd(p)) return wino_filter_gradient(p, threads);
  const int m = p->n * p->ho * p->wo;
  const int k = p->kh * p->kw * p->ci;
  const size_t size = (size_t)k * p->co;
  const int blocks = (m + KC - 1) / KC;
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  /*
   * Two chunks per thread (one where there is one thread), each its own partial dW (at most 64 MB of them), of whole
   * depth blocks: a short block costs a pass over the partial for little work, and each chunk adds one to the sum.
   */
  int chunks = threads == 1 ? 1 : 2 * threads;
  const size_t cap = ((size_t)16 << 20) / (size > 0 ? size : 1);
  if ((size_t)chunks > cap) chunks = cap > (size_t)threads ? (int)cap : threads;
  if (chunks > blocks) chunks = blocks > 0 ? blocks : 1;
  const int per_chunk = (blocks + chunks - 1) / chunks; /* in depth blocks */
  chunks = m > 0 ? (blocks + per_chunk - 1) / per_chunk : 1;
  Job job = { .p = p, .kernel = kernel, .chunk = per_chunk * KC, .chunks = chunks };
  job.partials = malloc(size * chunks * sizeof(float));
  if (job.partials == NULL) return -1;
  if (m == 0) memset(job.partials, 0, size * sizeof(float));
  else parallel_for(filter_gradient_unit, &job, chunks, threads);
  if (!job.failed) parallel_for(filter_reduce_unit, &job, (k + REDUCE_ROWS - 1) / REDUCE_ROWS, threads);
  free(job.partials);
  return job.failed ? -1 : 0;
}

/* ------------------------------------------------------------------------------------------------ column sums */

/*
 * Rows of a column-sum unit: the units, and so the order of every addition, depend on the shape only (not on the
 * thread count), so a bias gradient is the same on 1 thread or 8, fused into the ReLU gradient or not.
 */
#define SUM_ROWS 1024

typedef struct {
  const float *x;  /* rows x cols: summed (or, with y, the gradient dy) */
  const float *y;  /* NULL, or a ReLU's output: x is masked where y <= 0, written to out, and summed */
  float *out;      /* with y: the masked gradient */
  int rows, cols;
  double *partial; /* cols sums per unit */
} SumJob;

/* Unit u: the column sums of rows u * SUM_ROWS .. (see masked_column_sums). */
static void column_sum_unit(void *arg, int u) {
  SumJob *t = arg;
  const int begin = u * SUM_ROWS;
  const int end = t->rows - begin < SUM_ROWS ? t->rows : begin + SUM_ROWS;
  double *partial = t->partial + (size_t)u * t->cols;
  for (int c = 0; c < t->cols; c++) partial[c] = 0.0;
  masked_column_sums(t->x, t->y, t->out, t->cols, begin, end, partial);
}

/* sums[c] = sum over rows of x[row][c] (y: of the masked x, written to out); -1 when out of memory. */
static int column_sums(const float *x, const float *y, float *out, int rows, int cols, float *sums, int threads) {
  const int units = rows > 0 ? (rows + SUM_ROWS - 1) / SUM_ROWS : 0;
  double *partial = malloc((size_t)cols * (units > 0 ? units : 1) * sizeof(double));
  if (partial == NULL) return -1;
  SumJob job = { .x = x, .y = y, .out = out, .rows = rows, .cols = cols, .partial = partial };
  parallel_for(column_sum_unit, &job, units, threads);
  for (int c = 0; c < cols; c++) {
    double s = 0.0;
    for (int u = 0; u < units; u++) s += partial[(size_t)cols * u + c];
    sums[c] = (float)s;
  }
  free(partial);
  return 0;
}

/* ------------------------------------------------------------------------------------------------- LSE pooling */

/*
 * e^t for t <= 0 (the exponents of LSE pooling after the max is subtracted), to about 2e-7 relative: t = n ln 2 + f
 * with |f| <= ln 2 / 2 (ln 2 in two parts, Cody and Waite), e^f by its degree-6 Taylor polynomial, 2^n in the exponent
 * bits. Plain C that compilers vectorise (expf from libm is not, without -ffast-math); below -87, 0.
 */

CXR8_VECTORIZABLE static inline float exp_nonpositive(float t) {
  const float x = t < -87.0f ? -87.0f : t;
  const int32_t i = (int32_t)(x * 1.44269504f - 0.5f); /* nearest integer to x log2 e (<= 0), by truncation */
  const float n = (float)i;
  const float f = (x - n * 0.693145752f) - n * 1.42860677e-6f;
  float p = 1.0f / 720.0f;
  p = p * f + 1.0f / 120.0f;
  p = p * f + 1.0f / 24.0f;
  p = p * f + 1.0f / 6.0f;
  p = p * f + 0.5f;
  p = p * f + 1.0f;
  p = p * f + 1.0f;
  const int32_t bits = (i + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return t < -87.0f ? 0.0f : p * scale;
}

/*
 * exp_nonpositive on 16 lanes, the same operations in the same order (so the same bits), compiled per instruction set:
 * the exponentials pass of LSE pooling where the depth is a multiple of 16 (w = e^(r (x - peak)), total += w).
 */
#define CXR8_LSE_EXP(NAME, TARGET)                                                                                   \
  TARGET static void NAME(const float *x, const float *peak, float r, int P, int D, float *w, float *total) {       \
    const v16f zero = { 0 }, low = zero - 87.0f;                                                                     \
    for (int d = 0; d < D; d += 16) {                                                                                \
      const v16f top = *(const v16f *)(peak + d);                                                                    \
      v16f sum = *(const v16f *)(total + d);                                                                         \
      for (int p = 0; p < P; p++) {                                                                                  \
        const v16f t = r * (*(const v16f *)(x + (size_t)p * D + d) - top);                                          \
        const v16i under = t < low;                                                                                  \
        const v16f v = (v16f)((under & (v16i)low) | (~under & (v16i)t));                                             \
        const v16i i = __builtin_convertvector(v * 1.44269504f - 0.5f, v16i);                                        \
        const v16f n = __builtin_convertvector(i, v16f);                                                             \
        const v16f f = (v - n * 0.693145752f) - n * 1.42860677e-6f;                                                  \
        v16f q = f * (1.0f / 720.0f) + 1.0f / 120.0f;                                                                \
        q = q * f + 1.0f / 24.0f;                                                                                    \
        q = q * f + 1.0f / 6.0f;                                                                                     \
        q = q * f + 0.5f;                                                                                            \
        q = q * f + 1.0f;                                                                                            \
        q = q * f + 1.0f;                                                                                            \
        const v16f e = (v16f)(~under & (v16i)(q * (v16f)((i + 127) << 23)));                                        \
        *(v16f *)(w + (size_t)p * D + d) = e;                                                                        \
        sum += e;                                                                                                    \
      }                                                                                                              \
      *(v16f *)(total + d) = sum;                                                                                    \
    }                                                                                                                \
  }
CXR8_PER_ISA(CXR8_LSE_EXP, lse_exp)

static void lse_exponentials(const float *x, const float *peak, float r, int P, int D, float *w, float *total) {
  CXR8_BY_ISA(kernel, lse_exp, (x, peak, r, P, D, w, total));
}

typedef struct {
  const float *x; /* [images, positions, depth] */
  float *pooled;  /* [images, depth] */
  float *weights; /* [images, positions, depth]: softmax(r x) over the positions, d pooled / d x */
  int positions, depth;
  float r;
  int failed;
} LseJob;

/*
 * Unit n: for image n and every channel d: x* = max_p x[p][d], e[p][d] = exp(r (x[p][d] - x*)), S = sum_p e,
 * pooled = x* + ln(S / P) / r, weights = e / S. Three passes over the image's map, each along d (contiguous).
 */
CXR8_VECTORIZABLE static void lse_unit(void *arg, int n) {
  LseJob *t = arg;
  const int P = t->positions, D = t->depth;
  float *peak = scratch(0, (size_t)2 * D);
  if (peak == NULL) {
    __atomic_store_n(&t->failed, 1, __ATOMIC_RELAXED);
    return;
  }
  float *total = peak + D;
  const float *x = t->x + (size_t)n * P * D;
  float *w = t->weights + (size_t)n * P * D;
  for (int d = 0; d < D; d++) peak[d] = x[d];
  for (int p = 1; p < P; p++) {
    const float *row = x + (size_t)p * D;
    for (int d = 0; d < D; d++) peak[d] = row[d] > peak[d] ? row[d] : peak[d];
  }
  for (int d = 0; d < D; d++) total[d] = 0.0f;
  if (D % 16 == 0) {
    lse_exponentials(x, peak, t->r, P, D, w, total);
  } else {
    for (int p = 0; p < P; p++) {
      const float *row = x + (size_t)p * D;
      float *wr = w + (size_t)p * D;
      for (int d = 0; d < D; d++) {
        const float e = exp_nonpositive(t->r * (row[d] - peak[d]));
        wr[d] = e;
        total[d] += e;
      }
    }
  }
  for (int d = 0; d < D; d++) {
    t->pooled[(size_t)n * D + d] = peak[d] + logf(total[d] / (float)P) / t->r;
    total[d] = 1.0f / total[d];
  }
  for (int p = 0; p < P; p++) {
    float *wr = w + (size_t)p * D;
    for (int d = 0; d < D; d++) wr[d] *= total[d];
  }
}

static int lse_pool(const float *x, int images, int positions, int depth, float r, float *pooled, float *weights, int threads) {
  LseJob job = { .x = x, .pooled = pooled, .weights = weights, .positions = positions, .depth = depth, .r = r };
  parallel_for(lse_unit, &job, images, threads);
  return job.failed ? -1 : 0;
}

/* ------------------------------------------------------------------------------------ input standardisation */

typedef struct {
  const float *x;
  float *out;
  int size; /* values per image */
  float epsilon;
} StandardiseJob;

/* The sum of v[0 .. count) (or of (v - centre)^2 with `squares`): 16 float lanes over runs of 1024, added in double. */
CXR8_VECTORIZABLE static double lane_sum(const float *v, int count, float centre, int squares) {
  double total = 0.0;
  for (int r0 = 0; r0 < count; r0 += 1024) {
    const int r1 = count - r0 < 1024 ? count : r0 + 1024;
    float acc[16] = { 0 };
    int i = r0;
    for (; i + 16 <= r1; i += 16) {
      for (int l = 0; l < 16; l++) {
        const float d = v[i + l] - centre;
        acc[l] += squares ? d * d : v[i + l];
      }
    }
    for (; i < r1; i++) {
      const float d = v[i] - centre;
      acc[0] += squares ? d * d : v[i];
    }
    for (int l = 0; l < 16; l++) total += acc[l];
  }
  return total;
}

/*
 * Unit n: image n minus its mean, divided by its standard deviation + epsilon (tf.moments' population variance: the
 * mean of the squared deviations), in three passes over the image (mean, variance, output).
 */
CXR8_VECTORIZABLE static void standardise_unit(void *arg, int n) {
  const StandardiseJob *j = arg;
  const float *restrict x = j->x + (size_t)n * j->size;
  float *restrict out = j->out + (size_t)n * j->size;
  const float mean = (float)(lane_sum(x, j->size, 0.0f, 0) / j->size);
  const float variance = (float)(lane_sum(x, j->size, mean, 1) / j->size);
  const float scale = sqrtf(variance) + j->epsilon;
  for (int i = 0; i < j->size; i++) out[i] = (x[i] - mean) / scale;
}

/* ------------------------------------------------------------------------------------------- element-wise ops */

/* Values of an element-wise unit. */
#define ELEMENTWISE_UNIT 65536

/* The element-wise ops: the ReLU gradient (out = a where b > 0, else 0: a = dy, b = the ReLU's output), a + b, relu(a + b). */
typedef enum { RELU_GRADIENT, SUM, SUM_RELU } Elementwise;

typedef struct {
  const float *a, *b;
  float *out;
  size_t count;
  Elementwise op;
} ElementwiseJob;

/* Unit u: values u * ELEMENTWISE_UNIT .. of one op, in one pass (tfjs: step + multiply, add, add + relu). */
CXR8_VECTORIZABLE static void elementwise_unit(void *arg, int u) {
  const ElementwiseJob *t = arg;
  const size_t begin = (size_t)u * ELEMENTWISE_UNIT;
  const size_t end = t->count - begin < ELEMENTWISE_UNIT ? t->count : begin + ELEMENTWISE_UNIT;
  const float *restrict a = t->a;
  const float *restrict b = t->b;
  float *restrict out = t->out;
  switch (t->op) {
  case RELU_GRADIENT:
    for (size_t i = begin; i < end; i++) {
      const float d = a[i]; /* loaded unconditionally: a select, not a branch on the sign of b */
      out[i] = b[i] > 0.0f ? d : 0.0f;
    }
    break;
  case SUM_RELU:
    for (size_t i = begin; i < end; i++) {
      const float v = a[i] + b[i];
      out[i] = v > 0.0f ? v : 0.0f;
    }
    break;
  case SUM:
    for (size_t i = begin; i < end; i++) out[i] = a[i] + b[i];
    break;
  }
}

static void elementwise(Elementwise op, const float *a, const float *b, float *out, size_t count, int threads) {
  const ElementwiseJob job = { .a = a, .b = b, .out = out, .count = count, .op = op };
  parallel_for(elementwise_unit, (void *)&job, (int)((count + ELEMENTWISE_UNIT - 1) / ELEMENTWISE_UNIT), threads);
}

/* ------------------------------------------------------------------------------------------------------- Adam */

/* One variable's Adam update: x, m, v, g in; x', m', v' out (may be x, m, v themselves). */
typedef struct {
  const float *x, *m, *v, *g;
  float *x2, *m2, *v2;
  size_t size;
} AdamSlot;

typedef struct {
  const AdamSlot *slots;
  const int *slot_of;   /* unit -> slot */
  const size_t *first;  /* unit -> first value */
  float beta1, beta2, one_minus_beta1, one_minus_beta2, epsilon, rate;
} AdamJob;

/*
 * Unit u: values first .. first + ELEMENTWISE_UNIT - 1 of one variable, each in one pass, as src/train.ts's Adam
 * computes it in float32: m' = b1 m + (1 - b1) g; v' = b2 v + (1 - b2) g^2; x' = x - m' / (sqrt(v') + eps) * rate.
 */
CXR8_VECTORIZABLE static void adam_unit(void *arg, int u) {
  const AdamJob *j = arg;
  const AdamSlot *s = &j->slots[j->slot_of[u]];
  const size_t begin = j->first[u];
  const size_t end = s->size - begin < ELEMENTWISE_UNIT ? s->size : begin + ELEMENTWISE_UNIT;
  const float b1 = j->beta1, b2 = j->beta2, c1 = j->one_minus_beta1, c2 = j->one_minus_beta2, eps = j->epsilon, rate = j->rate;
  for (size_t i = begin; i < end; i++) {
    const float g = s->g[i];
    const float m = b1 * s->m[i] + c1 * g;
    const float v = b2 * s->v[i] + c2 * (g * g);
    const float x = s->x[i] - m / (sqrtf(v) + eps) * rate;
    s->m2[i] = m;
    s->v2[i] = v;
    s->x2[i] = x;
  }
}

/* Every variable's update in one job, in units of ELEMENTWISE_UNIT values; -1 when out of memory. */
static int adam_update(const AdamSlot *slots, int count, const float hyper[6], int threads) {
  size_t units = 0;
  for (int i = 0; i < count; i++) units += (slots[i].size + ELEMENTWISE_UNIT - 1) / ELEMENTWISE_UNIT;
  if (units > INT32_MAX) return -1;
  int *slot_of = malloc((units > 0 ? units : 1) * sizeof(int));
  size_t *first = malloc((units > 0 ? units : 1) * sizeof(size_t));
  if (slot_of == NULL || first == NULL) {
    free(slot_of);
    free(first);
    return -1;
  }
  size_t u = 0;
  for (int i = 0; i < count; i++) {
    for (size_t at = 0; at < slots[i].size; at += ELEMENTWISE_UNIT, u++) {
      slot_of[u] = i;
      first[u] = at;
    }
  }
  const AdamJob job = {
    .slots = slots, .slot_of = slot_of, .first = first, .beta1 = hyper[0], .beta2 = hyper[1], .one_minus_beta1 = hyper[2],
    .one_minus_beta2 = hyper[3], .epsilon = hyper[4], .rate = hyper[5],
  };
  parallel_for(adam_unit, (void *)&job, (int)units, threads);
  free(slot_of);
  free(first);
  return 0;
}

/* ------------------------------------------------------------------------------------------------------- N-API */

enum {
  P_N, P_H, P_W, P_CI, P_KH, P_KW, P_CO, P_HO, P_WO, P_SH, P_SW, P_PT, P_PL, P_RELU,
  P_X, P_FILTER, P_BIAS, P_DY, P_OUT, P_THREADS, P_R, P_COUNT
};

static napi_value throw_type_error(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static const float *at(uint8_t *base, size_t length, double where, size_t floats) {
  if (where < 0) return NULL;
  const uint64_t offset = (uint64_t)where;
  if ((double)offset != where || offset + floats * sizeof(float) > length || offset % 4 != 0) return (const float *)(uintptr_t)1;
  return (const float *)(base + offset);
}

/* The data and length of a typed array argument of type `want`, or NULL when `value` is not one. */
static void *typed_array(napi_env env, napi_value value, napi_typedarray_type want, size_t *length) {
  bool is_typed = false;
  napi_typedarray_type type;
  void *data = NULL;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return NULL;
  if (napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok || type != want) return NULL;
  return data;
}

static napi_value js_conv(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return throw_type_error(env, "conv(op, heap, params): expected 3 arguments");
  int32_t op;
  if (napi_get_value_int32(env, argv[0], &op) != napi_ok || op < 0 || op > 7) return throw_type_error(env, "conv: op must be 0 to 7");
  void *heap_data;
  size_t heap_length;
  if (napi_get_arraybuffer_info(env, argv[1], &heap_data, &heap_length) != napi_ok) return throw_type_error(env, "conv: heap must be an ArrayBuffer");
  size_t length = 0;
  const double *q = typed_array(env, argv[2], napi_float64_array, &length);
  if (q == NULL) return throw_type_error(env, "conv: params must be a Float64Array");
  if (length < P_COUNT) return throw_type_error(env, "conv: params must be a Float64Array of 21 values");
  for (int i = 0; i < P_X; i++) {
    if (!(q[i] >= -2147483648.0 && q[i] <= 2147483647.0) || q[i] != (double)(int32_t)q[i]) return throw_type_error(env, "conv: shapes, strides and padding must be 32-bit integers");
  }
  uint8_t *base = heap_data;
  const float *bad = (const float *)(uintptr_t)1;
  if (op == 5 || op == 6) {
    const char *what = op == 5 ? "ReLU gradient" : "sum";
    char message[112];
    if (q[P_N] < 0) {
      snprintf(message, sizeof message, "%s: expected a count >= 0", what);
      return throw_type_error(env, message);
    }
    const size_t count = (size_t)q[P_N];
    const float *a = at(base, heap_length, q[P_DY], count);
    const float *b = at(base, heap_length, q[P_X], count);
    float *out = (float *)at(base, heap_length, q[P_OUT], count);
    if (a == NULL || a == bad || b == NULL || b == bad || out == NULL || out == bad) {
      snprintf(message, sizeof message, "%s: a tensor offset is outside the heap or misaligned", what);
      return throw_type_error(env, message);
    }
    if (op == 5 && argc >= 4) { /* and the column sums of the result (the bias gradient), into a Float32Array */
      size_t cols = 0;
      float *sums = typed_array(env, argv[3], napi_float32_array, &cols);
      if (sums == NULL || cols < 1 || q[P_CO] != (double)cols || count % cols != 0 || count / cols > INT32_MAX) {
        return throw_type_error(env, "ReLU gradient: sums must be a Float32Array of P_CO values, P_CO dividing the count");
      }
      if (column_sums(a, b, out, (int)(count / cols), (int)cols, sums, (int)q[P_THREADS]) != 0) napi_throw_error(env, NULL, "ReLU gradient: out of memory");
      return NULL;
    }
    elementwise(op == 5 ? RELU_GRADIENT : q[P_RELU] != 0 ? SUM_RELU : SUM, a, b, out, count, (int)q[P_THREADS]);
    return NULL;
  }
  if (op == 7) {
    if (q[P_N] < 1 || q[P_H] < 1 || !(q[P_R] >= 0)) return throw_type_error(env, "standardisation: expected images, values per image >= 1 and epsilon >= 0");
    const size_t size = (size_t)q[P_N] * (size_t)q[P_H];
    const float *x = at(base, heap_length, q[P_X], size);
    float *out = (float *)at(base, heap_length, q[P_OUT], size);
    if (x == NULL || x == bad || out == NULL || out == bad) return throw_type_error(env, "standardisation: a tensor offset is outside the heap or misaligned");
    const StandardiseJob job = { .x = x, .out = out, .size = (int)q[P_H], .epsilon = (float)q[P_R] };
    parallel_for(standardise_unit, (void *)&job, (int)q[P_N], (int)q[P_THREADS]);
    return NULL;
  }
  if (op == 4) {
    if (q[P_N] < 1 || q[P_H] < 1 || q[P_CO] < 1 || !(q[P_R] > 0)) return throw_type_error(env, "LSE pooling: expected images, positions, depth >= 1 and r > 0");
    const size_t size = (size_t)q[P_N] * (size_t)q[P_H] * (size_t)q[P_CO];
    const float *x = at(base, heap_length, q[P_X], size);
    float *pooled = (float *)at(base, heap_length, q[P_OUT], (size_t)q[P_N] * (size_t)q[P_CO]);
    float *weights = (float *)at(base, heap_length, q[P_DY], size);
    if (x == NULL || x == bad || pooled == NULL || pooled == bad || weights == NULL || weights == bad) {
      return throw_type_error(env, "LSE pooling: a tensor offset is outside the heap or misaligned");
    }
    if (lse_pool(x, (int)q[P_N], (int)q[P_H], (int)q[P_CO], (float)q[P_R], pooled, weights, (int)q[P_THREADS]) != 0) napi_throw_error(env, NULL, "LSE pooling: out of memory");
    return NULL;
  }
  if (op == 3) {
    if (q[P_N] < 0 || q[P_CO] < 1) return throw_type_error(env, "column sums: expected rows >= 0 and columns >= 1");
    const float *x = at(base, heap_length, q[P_X], (size_t)q[P_N] * (size_t)q[P_CO]);
    float *out = (float *)at(base, heap_length, q[P_OUT], (size_t)q[P_CO]);
    if (x == NULL || x == bad || out == NULL || out == bad) return throw_type_error(env, "column sums: a tensor offset is outside the heap or misaligned");
    if (column_sums(x, NULL, NULL, (int)q[P_N], (int)q[P_CO], out, (int)q[P_THREADS]) != 0) napi_throw_error(env, NULL, "column sums: out of memory");
    return NULL;
  }
  for (int i = 0; i < P_X; i++) {
    if (q[i] < 0 || (i < P_SH && i != P_RELU && q[i] == 0)) return throw_type_error(env, "conv: shapes must be positive");
  }
  if (q[P_SH] < 1 || q[P_SW] < 1) return throw_type_error(env, "conv: strides must be positive");
  const size_t nx = (size_t)q[P_N] * (size_t)q[P_H] * (size_t)q[P_W] * (size_t)q[P_CI];
  const size_t nf = (size_t)q[P_KH] * (size_t)q[P_KW] * (size_t)q[P_CI] * (size_t)q[P_CO];
  const size_t ny = (size_t)q[P_N] * (size_t)q[P_HO] * (size_t)q[P_WO] * (size_t)q[P_CO];
  Conv p = {
    .n = (int)q[P_N], .h = (int)q[P_H], .w = (int)q[P_W], .ci = (int)q[P_CI], .kh = (int)q[P_KH], .kw = (int)q[P_KW],
    .co = (int)q[P_CO], .ho = (int)q[P_HO], .wo = (int)q[P_WO], .sh = (int)q[P_SH], .sw = (int)q[P_SW], .pt = (int)q[P_PT],
    .pl = (int)q[P_PL], .relu = q[P_RELU] != 0,
  };
  p.x = op == 1 ? NULL : at(base, heap_length, q[P_X], nx);
  p.filter = op == 2 ? NULL : at(base, heap_length, q[P_FILTER], nf);
  p.bias = op == 0 ? at(base, heap_length, q[P_BIAS], (size_t)q[P_CO]) : NULL;
  p.dy = op == 0 ? NULL : at(base, heap_length, q[P_DY], ny);
  const size_t nout = op == 0 ? ny : op == 1 ? nx : nf;
  float *out = (float *)at(base, heap_length, q[P_OUT], nout);
  if (p.x == bad || p.filter == bad || p.bias == bad || p.dy == bad || out == bad || out == NULL) {
    return throw_type_error(env, "conv: a tensor offset is outside the heap or misaligned");
  }
  if ((op != 1 && p.x == NULL) || (op != 2 && p.filter == NULL) || (op != 0 && p.dy == NULL)) {
    return throw_type_error(env, "conv: a required tensor offset is missing");
  }
  p.out = out;
  const int threads = (int)q[P_THREADS];
  float *sums = NULL;
  if (op == 1 && argc >= 4) { /* masked by a ReLU's output (at P_X, x's shape), with the column sums into a Float32Array */
    size_t cols = 0;
    sums = typed_array(env, argv[3], napi_float32_array, &cols);
    if (sums == NULL || cols != (size_t)p.ci) return throw_type_error(env, "conv: input gradient sums must be a Float32Array of Ci values");
    p.mask = at(base, heap_length, q[P_X], nx);
    if (p.mask == NULL || p.mask == bad) return throw_type_error(env, "conv: the input gradient's mask offset is outside the heap or misaligned");
  }
  const int status = op == 0 ? conv_forward(&p, threads)
                     : op == 1 ? (sums != NULL ? conv_input_gradient_masked(&p, sums, threads) : conv_input_gradient(&p, threads))
                               : conv_filter_gradient(&p, threads);
  if (status != 0) {
    napi_throw_error(env, NULL, "conv: out of memory");
    return NULL;
  }
  return NULL;
}

/* adam(heap, params): see A_* below; every variable's Adam update in one call. Throws a TypeError on bad arguments. */
enum { A_COUNT, A_BETA1, A_BETA2, A_EPSILON, A_RATE, A_THREADS, A_HEADER };
enum { A_SIZE, A_X, A_M, A_V, A_G, A_X2, A_M2, A_V2, A_PER_VARIABLE };

static napi_value js_adam(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) return throw_type_error(env, "adam(heap, params): expected 2 arguments");
  void *heap_data;
  size_t heap_length;
  if (napi_get_arraybuffer_info(env, argv[0], &heap_data, &heap_length) != napi_ok) return throw_type_error(env, "adam: heap must be an ArrayBuffer");
  size_t length = 0;
  const double *q = typed_array(env, argv[1], napi_float64_array, &length);
  if (q == NULL || length < A_HEADER) return throw_type_error(env, "adam: params must be a Float64Array of 6 + 8 per variable values");
  const double count = q[A_COUNT];
  if (!(count >= 0 && count <= 1e6) || count != (double)(int)count || length < A_HEADER + (size_t)count * A_PER_VARIABLE) {
    return throw_type_error(env, "adam: params must be a Float64Array of 6 + 8 per variable values");
  }
  AdamSlot *slots = malloc(((size_t)count > 0 ? (size_t)count : 1) * sizeof(AdamSlot));
  if (slots == NULL) {
    napi_throw_error(env, NULL, "adam: out of memory");
    return NULL;
  }
  uint8_t *base = heap_data;
  const float *bad = (const float *)(uintptr_t)1;
  for (int i = 0; i < (int)count; i++) {
    const double *r = q + A_HEADER + (size_t)i * A_PER_VARIABLE;
    if (!(r[A_SIZE] >= 0 && r[A_SIZE] <= 4294967295.0) || r[A_SIZE] != (double)(uint64_t)r[A_SIZE]) {
      free(slots);
      return throw_type_error(env, "adam: a variable size must be a non-negative integer");
    }
    const size_t n = (size_t)r[A_SIZE];
    const float *p[7];
    for (int j = 0; j < 7; j++) {
      p[j] = at(base, heap_length, r[A_X + j], n);
      if (p[j] == NULL || p[j] == bad) {
        free(slots);
        return throw_type_error(env, "adam: a tensor offset is outside the heap or misaligned");
      }
    }
    slots[i] = (AdamSlot){ .x = p[0], .m = p[1], .v = p[2], .g = p[3], .x2 = (float *)p[4], .m2 = (float *)p[5], .v2 = (float *)p[6], .size = n };
  }
  const float hyper[6] = { (float)q[A_BETA1], (float)q[A_BETA2], (float)(1.0 - q[A_BETA1]), (float)(1.0 - q[A_BETA2]), (float)q[A_EPSILON], (float)q[A_RATE] };
  const int status = adam_update(slots, (int)count, hyper, (int)q[A_THREADS]);
  free(slots);
  if (status != 0) napi_throw_error(env, NULL, "adam: out of memory");
  return NULL;
}

/*
 * setKernel('generic' | 'avx2-fma' | 'avx512'): picks the micro-kernel (tests run each, the bench compares them);
 * returns false when this CPU lacks it.
 */
static napi_value js_set_kernel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[16] = {0};
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length) != napi_ok) {
    return throw_type_error(env, "setKernel(name): expected a string");
  }
  if (strcmp(name, "generic") != 0 && strcmp(name, "avx2-fma") != 0 && strcmp(name, "avx512") != 0) {
    return throw_type_error(env, "setKernel: expected 'generic', 'avx2-fma' or 'avx512'");
  }
  const Kernel *k = find_kernel(name);
  if (k != NULL) kernel = k;
  napi_value result;
  napi_get_boolean(env, k != NULL, &result);
  return result;
}

/* kernel(): the name of the micro-kernel in use. */
static napi_value js_kernel(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value name;
  napi_create_string_utf8(env, kernel->name, NAPI_AUTO_LENGTH, &name);
  return name;
}

/* setWinograd(on): 3x3 stride-1 'same' convolutions through Winograd (true, the default) or im2col; returns the old state. */
static napi_value js_set_winograd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  bool on;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_bool(env, argv[0], &on) != napi_ok) {
    return throw_type_error(env, "setWinograd(on): expected a boolean");
  }
  napi_value was;
  napi_get_boolean(env, winograd_on != 0, &was);
  winograd_on = on ? 1 : 0;
  return was;
}

/* The calling convention's version: src/native.ts refuses an addon built from another version of this file. */
#define CXR8_NATIVE_ABI 6

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  choose_micro_kernel();
  const char *wino = getenv("CXR8_WINOGRAD");
  if (wino != NULL && strcmp(wino, "0") == 0) winograd_on = 0;
  napi_value fn;
  napi_value abi;
  napi_create_int32(env, CXR8_NATIVE_ABI, &abi);
  napi_set_named_property(env, exports, "abi", abi);
  napi_create_function(env, "conv", NAPI_AUTO_LENGTH, js_conv, NULL, &fn);
  napi_set_named_property(env, exports, "conv", fn);
  napi_create_function(env, "adam", NAPI_AUTO_LENGTH, js_adam, NULL, &fn);
  napi_set_named_property(env, exports, "adam", fn);
  napi_create_function(env, "kernel", NAPI_AUTO_LENGTH, js_kernel, NULL, &fn);
  napi_set_named_property(env, exports, "kernel", fn);
  napi_create_function(env, "setKernel", NAPI_AUTO_LENGTH, js_set_kernel, NULL, &fn);
  napi_set_named_property(env, exports, "setKernel", fn);
  napi_create_function(env, "setWinograd", NAPI_AUTO_LENGTH, js_set_winograd, NULL, &fn);
  napi_set_named_property(env, exports, "setWinograd", fn);
  return exports;
}
