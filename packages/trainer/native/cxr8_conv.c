/*
 * Native 2-D convolution kernels for the trainer (NHWC, float32): forward (with bias and ReLU), the input gradient and
 * the filter gradient, each as a cache-blocked matrix product with a micro-kernel chosen at run time (AVX-512 16 x 16,
 * AVX2+FMA 6 x 16 on x86-64; a portable C one elsewhere), on up to `threads` POSIX threads.
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
 * JavaScript API (src/native.ts wraps it): conv(op, heap, params) with op 0 = forward, 1 = input gradient,
 * 2 = filter gradient, 3 = column sums (out[c] = sum over rows of x[row][c], x a P_N x P_CO matrix: the bias
 * gradient), 4 = LSE pooling (x [P_N, P_H positions, P_CO], r: pooled [P_N, P_CO] at P_OUT and the softmax weights,
 * its gradient, at P_DY), 5 = ReLU gradient (out = dy where x > 0, else 0, P_N values), 6 = sum (out = dy + x, then ReLU if P_RELU, P_N values); heap the wasm memory's ArrayBuffer; params a Float64Array (offsets pass 2 GB), see `Conv` below. Returns
 * undefined; throws a TypeError on bad arguments. kernel() names the micro-kernel in use, setKernel(name) switches it.
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

/*
 * Writes im2col rows m0 .. m0 + rows - 1 of x (all K columns) into `dst` (row-major, `ld` floats a row). A filter row's
 * kw taps read kw * Ci consecutive floats of x and write them consecutively, so each filter row is one copy (with
 * zeros where the patch leaves the image).
 */
static void im2col_rows(const Conv *p, int m0, int rows, float *dst, int ld) {
  const int span = p->kw * p->ci;
  Pixel q = pixel_of(p, m0);
  for (int r = 0; r < rows; r++, next_pixel(p, &q)) {
    float *row = dst + (size_t)r * ld;
    const int ix0 = q.ox * p->sw - p->pl;
    int j0, j1;
    inside_taps(p, ix0, &j0, &j1);
    for (int i = 0; i < p->kh; i++) {
      const int iy = q.oy * p->sh + i - p->pt;
      float *d = row + (size_t)i * span;
      if (iy < 0 || iy >= p->h || j0 == j1) {
        zero_floats(d, span);
        continue;
      }
      const float *s = p->x + (((size_t)q.n * p->h + iy) * p->w + (size_t)(ix0 + j0)) * p->ci;
      if (j0 == 0 && j1 == p->kw) { /* inside the image: the usual case */
        copy_floats(d, s, span);
        continue;
      }
      zero_floats(d, j0 * p->ci);
      copy_floats(d + j0 * p->ci, s, (j1 - j0) * p->ci);
      zero_floats(d + j1 * p->ci, (p->kw - j1) * p->ci);
    }
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

static int round_up(int v, int to) { return (v + to - 1) / to * to; }

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

/* ------------------------------------------------------------------------------------------------------ threads */

typedef struct {
  const Conv *p;
  const Kernel *kernel;  /* the micro-kernel, read once per call */
  int begin, end;        /* forward: output rows; input gradient: images; filter gradient: output rows */
  const float *packed_b; /* forward and input gradient: the whole B, packed per depth block */
  float *partial;        /* filter gradient: this thread's dW (K x Co) */
  int failed;
} Task;

typedef void *(*TaskFn)(void *);

/* Runs fn on `count` tasks, the first on this thread; returns 0, or -1 when a thread could not start or failed. */
static int run_tasks(TaskFn fn, Task *tasks, int count) {
  pthread_t threads[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int t = 1; t < count; t++) started[t] = pthread_create(&threads[t], NULL, fn, &tasks[t]) == 0;
  for (int t = 1; t < count; t++) {
    if (!started[t]) fn(&tasks[t]); /* could not start a thread: do its share here */
  }
  fn(&tasks[0]);
  int failed = tasks[0].failed;
  for (int t = 1; t < count; t++) {
    if (started[t]) pthread_join(threads[t], NULL);
    failed |= tasks[t].failed;
  }
  return failed ? -1 : 0;
}

/* B (K x Co, depth blocks of KC rows) packed once: block kb starts at kb * KC * round_up(Co, NR). */
static float *pack_whole_b(const float *src, int depth, int cols, int transposed, int ld) {
  const int width = round_up(cols, NR);
  float *packed = malloc((size_t)round_up(depth, KC) * width * sizeof(float));
  if (packed == NULL) return NULL;
  for (int k0 = 0; k0 < depth; k0 += KC) {
    const int kc = depth - k0 < KC ? depth - k0 : KC;
    float *dst = packed + (size_t)k0 * width;
    if (transposed) pack_b_transposed(src, ld, k0, kc, cols, dst);
    else pack_b(src, ld, k0, kc, cols, dst);
  }
  return packed;
}

/* ------------------------------------------------------------------------------------------------------ forward */

static void *forward_task(void *arg) {
  Task *t = arg;
  const Conv *p = t->p;
  const Kernel *kn = t->kernel;
  const int k = p->kh * p->kw * p->ci;
  const int width = round_up(p->co, NR);
  const int direct = is_pointwise(p);
  const int ldr = row_stride(k);
  float *rows = direct ? NULL : calloc((size_t)MC * ldr, sizeof(float));
  if (!direct && rows == NULL) {
    t->failed = 1;
    return NULL;
  }
  for (int m0 = t->begin; m0 < t->end; m0 += MC) {
    const int mc = t->end - m0 < MC ? t->end - m0 : MC;
    if (!direct) im2col_rows(p, m0, mc, rows, ldr);
    const float *a = direct ? p->x + (size_t)m0 * k : rows;
    float *c = p->out + (size_t)m0 * p->co;
    for (int k0 = 0; k0 < k; k0 += KC) {
      const int kc = k - k0 < KC ? k - k0 : KC;
      const int last = k0 + kc >= k;
      const Operand op = { a + k0, direct ? k : ldr, 1 };
      block_product(kn, mc, p->co, kc, op, t->packed_b + (size_t)k0 * width, c, p->co, k0 > 0, last ? p->bias : NULL, last && p->relu);
    }
  }
  free(rows);
  return NULL;
}

/* ----------------------------------------------------------------------------------------------- input gradient */

static void *input_gradient_task(void *arg) {
  Task *t = arg;
  const Conv *p = t->p;
  const Kernel *kn = t->kernel;
  const int k = p->kh * p->kw * p->ci;
  const int width = round_up(k, NR);
  const int per_image = p->ho * p->wo;
  const int direct = is_pointwise(p); /* col2im is the identity: products go straight into dx */
  float *cols = direct ? NULL : malloc((size_t)MC * k * sizeof(float));
  if (!direct && cols == NULL) {
    t->failed = 1;
    return NULL;
  }
  const size_t image_size = (size_t)p->h * p->w * p->ci;
  if (!direct) memset(p->out + (size_t)t->begin * image_size, 0, (size_t)(t->end - t->begin) * image_size * sizeof(float));
  for (int m0 = t->begin * per_image; m0 < t->end * per_image; m0 += MC) {
    const int mc = t->end * per_image - m0 < MC ? t->end * per_image - m0 : MC;
    /* cols = dy[m0 .. m0 + mc) . filter^T, depth Co */
    const float *a = p->dy + (size_t)m0 * p->co;
    float *c = direct ? p->out + (size_t)m0 * k : cols;
    for (int k0 = 0; k0 < p->co; k0 += KC) {
      const int kc = p->co - k0 < KC ? p->co - k0 : KC;
      const Operand op = { a + k0, p->co, 1 };
      block_product(kn, mc, k, kc, op, t->packed_b + (size_t)k0 * width, c, k, k0 > 0, NULL, 0);
    }
    if (direct) continue;
    /* col2im: add each row's patch back into dx, a filter row (kw * Ci consecutive floats) at a time */
    Pixel q = pixel_of(p, m0);
    const int span = p->kw * p->ci;
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
  free(cols);
  return NULL;
}

/* ---------------------------------------------------------------------------------------------- filter gradient */

/* dW^T (Co x K) = dy^T . im2col(x), accumulated over this thread's output rows into t->partial (Co x K). */
static void *filter_gradient_task(void *arg) {
  Task *t = arg;
  const Conv *p = t->p;
  const Kernel *kn = t->kernel;
  const int k = p->kh * p->kw * p->ci;
  const int direct = is_pointwise(p);
  float *rows = direct ? NULL : malloc((size_t)KC * k * sizeof(float));
  float *pb = malloc((size_t)round_up(k, NR) * KC * sizeof(float));
  if ((!direct && rows == NULL) || pb == NULL) {
    free(rows);
    free(pb);
    t->failed = 1;
    return NULL;
  }
  for (int m0 = t->begin; m0 < t->end; m0 += KC) {
    const int kc = t->end - m0 < KC ? t->end - m0 : KC;
    if (direct) {
      pack_b(p->x, k, m0, kc, k, pb);
    } else {
      im2col_rows(p, m0, kc, rows, k);
      pack_b(rows, k, 0, kc, k, pb);
    }
    /* A = dy^T, read in place: element (c, m) at dy[m * Co + c] */
    const Operand op = { p->dy + (size_t)m0 * p->co, 1, p->co };
    block_product(kn, p->co, k, kc, op, pb, t->partial, k, m0 > t->begin, NULL, 0);
  }
  free(rows);
  free(pb);
  return NULL;
}

/* ---------------------------------------------------------------------------------------------------- dispatch */

static int clamp_threads(int threads, int units) {
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (threads > units) threads = units > 0 ? units : 1;
  return threads;
}

static int conv_forward(const Conv *p, int threads) {
  const Kernel *kn = kernel;
  const int m = p->n * p->ho * p->wo;
  const int k = p->kh * p->kw * p->ci;
  float *packed_b = pack_whole_b(p->filter, k, p->co, 0, p->co);
  if (packed_b == NULL) return -1;
  threads = clamp_threads(threads, (m + MC - 1) / MC);
  Task tasks[MAX_THREADS];
  const int blocks = (m + MC - 1) / MC;
  for (int t = 0; t < threads; t++) {
    tasks[t] = (Task){ .p = p, .kernel = kn, .packed_b = packed_b };
    tasks[t].begin = (int)((long)blocks * t / threads) * MC;
    tasks[t].end = (int)((long)blocks * (t + 1) / threads) * MC;
    if (tasks[t].end > m) tasks[t].end = m;
  }
  const int status = run_tasks(forward_task, tasks, threads);
  free(packed_b);
  return status;
}

static int conv_input_gradient(const Conv *p, int threads) {
  const Kernel *kn = kernel;
  const int k = p->kh * p->kw * p->ci;
  /* B = filter^T: depth Co, width K; filter is K x Co row-major */
  float *packed_b = pack_whole_b(p->filter, p->co, k, 1, p->co);
  if (packed_b == NULL) return -1;
  threads = clamp_threads(threads, p->n);
  Task tasks[MAX_THREADS];
  for (int t = 0; t < threads; t++) {
    tasks[t] = (Task){ .p = p, .kernel = kn, .packed_b = packed_b };
    tasks[t].begin = (int)((long)p->n * t / threads);
    tasks[t].end = (int)((long)p->n * (t + 1) / threads);
  }
  const int status = run_tasks(input_gradient_task, tasks, threads);
  free(packed_b);
  return status;
}

static int conv_filter_gradient(const Conv *p, int threads) {
  const Kernel *kn = kernel;
  const int m = p->n * p->ho * p->wo;
  const int k = p->kh * p->kw * p->ci;
  const size_t size = (size_t)k * p->co;
  threads = clamp_threads(threads, (m + KC - 1) / KC);
  float *partials = malloc(size * threads * sizeof(float));
  if (partials == NULL) return -1;
  Task tasks[MAX_THREADS];
  const int blocks = (m + KC - 1) / KC;
  for (int t = 0; t < threads; t++) {
    tasks[t] = (Task){ .p = p, .kernel = kn, .partial = partials + size * t };
    tasks[t].begin = (int)((long)blocks * t / threads) * KC;
    tasks[t].end = (int)((long)blocks * (t + 1) / threads) * KC;
    if (tasks[t].end > m) tasks[t].end = m;
    if (tasks[t].begin >= tasks[t].end) memset(tasks[t].partial, 0, size * sizeof(float));
  }
  const int status = run_tasks(filter_gradient_task, tasks, threads);
  if (status == 0) {
    /* dW[k][c] = sum over threads of partial[c][k] */
    for (int c = 0; c < p->co; c++) {
      for (int q = 0; q < k; q++) {
        float s = 0.0f;
        for (int t = 0; t < threads; t++) s += partials[size * t + (size_t)c * k + q];
        p->out[(size_t)q * p->co + c] = s;
      }
    }
  }
  free(partials);
  return status;
}

/* -------------------------------------------------------------------------------------------------- column sums */

typedef struct {
  const float *x;
  int rows, cols, begin, end;
  double *partial; /* cols sums of rows begin .. end - 1 */
  int failed;
} SumTask;

static void *column_sum_task(void *arg) {
  SumTask *t = arg;
  float acc[64];
  for (int c0 = 0; c0 < t->cols; c0 += 64) {
    const int width = t->cols - c0 < 64 ? t->cols - c0 : 64;
    memset(acc, 0, sizeof acc);
    /* float blocks of 256 rows, added into double partials: the order is fixed, the error small */
    for (int r0 = t->begin; r0 < t->end; r0 += 256) {
      const int r1 = t->end - r0 < 256 ? t->end : r0 + 256;
      for (int r = r0; r < r1; r++) {
        const float *row = t->x + (size_t)r * t->cols + c0;
        for (int j = 0; j < width; j++) acc[j] += row[j];
      }
      for (int j = 0; j < width; j++) {
        t->partial[c0 + j] += acc[j];
        acc[j] = 0.0f;
      }
    }
  }
  return NULL;
}

static int column_sums(const float *x, int rows, int cols, float *out, int threads) {
  threads = clamp_threads(threads, (rows + 4095) / 4096);
  double *partials = calloc((size_t)cols * threads, sizeof(double));
  if (partials == NULL) return -1;
  SumTask tasks[MAX_THREADS];
  pthread_t ids[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int t = 0; t < threads; t++) {
    tasks[t] = (SumTask){ .x = x, .rows = rows, .cols = cols, .partial = partials + (size_t)cols * t };
    tasks[t].begin = (int)((long)rows * t / threads);
    tasks[t].end = (int)((long)rows * (t + 1) / threads);
  }
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&ids[t], NULL, column_sum_task, &tasks[t]) == 0;
  for (int t = 1; t < threads; t++) {
    if (!started[t]) column_sum_task(&tasks[t]);
  }
  column_sum_task(&tasks[0]);
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(ids[t], NULL);
  }
  for (int c = 0; c < cols; c++) {
    double s = 0.0;
    for (int t = 0; t < threads; t++) s += partials[(size_t)cols * t + c];
    out[c] = (float)s;
  }
  free(partials);
  return 0;
}

/* ------------------------------------------------------------------------------------------------- LSE pooling */

/*
 * e^t for t <= 0 (the exponents of LSE pooling after the max is subtracted), to about 2e-7 relative: t = n ln 2 + f
 * with |f| <= ln 2 / 2 (ln 2 in two parts, Cody and Waite), e^f by its degree-6 Taylor polynomial, 2^n in the exponent
 * bits. Plain C that compilers vectorise (expf from libm is not, without -ffast-math); below -87, 0.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define CXR8_VECTORIZABLE __attribute__((optimize("no-trapping-math"))) /* lets GCC vectorise the selects below */
#else
#define CXR8_VECTORIZABLE
#endif

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

typedef struct {
  const float *x; /* [images, positions, depth] */
  float *pooled;  /* [images, depth] */
  float *weights; /* [images, positions, depth]: softmax(r x) over the positions, d pooled / d x */
  int positions, depth, begin, end;
  float r;
  int failed;
} LseTask;

/*
 * For images begin .. end - 1 and every channel d: x* = max_p x[p][d], e[p][d] = exp(r (x[p][d] - x*)), S = sum_p e,
 * pooled = x* + ln(S / P) / r, weights = e / S. Three passes over the image's map, each along d (contiguous).
 */
CXR8_VECTORIZABLE static void *lse_task(void *arg) {
  LseTask *t = arg;
  const int P = t->positions, D = t->depth;
  float *peak = malloc((size_t)D * sizeof(float));
  float *total = malloc((size_t)D * sizeof(float));
  if (peak == NULL || total == NULL) {
    free(peak);
    free(total);
    t->failed = 1;
    return NULL;
  }
  for (int n = t->begin; n < t->end; n++) {
    const float *x = t->x + (size_t)n * P * D;
    float *w = t->weights + (size_t)n * P * D;
    for (int d = 0; d < D; d++) peak[d] = x[d];
    for (int p = 1; p < P; p++) {
      const float *row = x + (size_t)p * D;
      for (int d = 0; d < D; d++) peak[d] = row[d] > peak[d] ? row[d] : peak[d];
    }
    for (int d = 0; d < D; d++) total[d] = 0.0f;
    for (int p = 0; p < P; p++) {
      const float *row = x + (size_t)p * D;
      float *wr = w + (size_t)p * D;
      for (int d = 0; d < D; d++) {
        const float e = exp_nonpositive(t->r * (row[d] - peak[d]));
        wr[d] = e;
        total[d] += e;
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
  free(peak);
  free(total);
  return NULL;
}

static int lse_pool(const float *x, int images, int positions, int depth, float r, float *pooled, float *weights, int threads) {
  threads = clamp_threads(threads, images);
  LseTask tasks[MAX_THREADS];
  pthread_t ids[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int t = 0; t < threads; t++) {
    tasks[t] = (LseTask){ .x = x, .pooled = pooled, .weights = weights, .positions = positions, .depth = depth, .r = r };
    tasks[t].begin = (int)((long)images * t / threads);
    tasks[t].end = (int)((long)images * (t + 1) / threads);
  }
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&ids[t], NULL, lse_task, &tasks[t]) == 0;
  for (int t = 1; t < threads; t++) {
    if (!started[t]) lse_task(&tasks[t]);
  }
  lse_task(&tasks[0]);
  int failed = tasks[0].failed;
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(ids[t], NULL);
    failed |= tasks[t].failed;
  }
  return failed ? -1 : 0;
}

/* ------------------------------------------------------------------------------------------------ ReLU gradient */

typedef struct {
  const float *dy, *y;
  float *out;
  size_t begin, end;
  int relu; /* sums: 1 = ReLU after the add */
  int failed;
} MaskTask;

/* out = dy where y > 0, else 0: the gradient through a ReLU whose output is y, in one pass (tfjs: step, then multiply). */
CXR8_VECTORIZABLE static void *relu_gradient_task(void *arg) {
  MaskTask *t = arg;
  const float *restrict dy = t->dy;
  const float *restrict y = t->y;
  float *restrict out = t->out;
  for (size_t i = t->begin; i < t->end; i++) {
    const float d = dy[i]; /* loaded unconditionally: a select, not a branch on the sign of y */
    out[i] = y[i] > 0.0f ? d : 0.0f;
  }
  return NULL;
}

/* out = a + b (then ReLU): a residual block's add, in one pass (tfjs: add, then relu). a in dy, b in y. */
CXR8_VECTORIZABLE static void *sum_task(void *arg) {
  MaskTask *t = arg;
  const float *restrict a = t->dy;
  const float *restrict b = t->y;
  float *restrict out = t->out;
  if (t->relu) {
    for (size_t i = t->begin; i < t->end; i++) {
      const float v = a[i] + b[i];
      out[i] = v > 0.0f ? v : 0.0f;
    }
  } else {
    for (size_t i = t->begin; i < t->end; i++) out[i] = a[i] + b[i];
  }
  return NULL;
}

/* Runs an element-wise task over `count` values, in shares of at least 64 Ki values. */
static void elementwise(TaskFn fn, const float *a, const float *b, float *out, size_t count, int relu, int threads) {
  threads = clamp_threads(threads, (int)((count + 65535) / 65536));
  MaskTask tasks[MAX_THREADS];
  pthread_t ids[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int t = 0; t < threads; t++) {
    tasks[t] = (MaskTask){ .dy = a, .y = b, .out = out, .relu = relu };
    tasks[t].begin = count * (size_t)t / (size_t)threads;
    tasks[t].end = count * (size_t)(t + 1) / (size_t)threads;
  }
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&ids[t], NULL, fn, &tasks[t]) == 0;
  for (int t = 1; t < threads; t++) {
    if (!started[t]) fn(&tasks[t]);
  }
  fn(&tasks[0]);
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(ids[t], NULL);
  }
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

static napi_value js_conv(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return throw_type_error(env, "conv(op, heap, params): expected 3 arguments");
  int32_t op;
  if (napi_get_value_int32(env, argv[0], &op) != napi_ok || op < 0 || op > 6) return throw_type_error(env, "conv: op must be 0 to 6");
  void *heap_data;
  size_t heap_length;
  if (napi_get_arraybuffer_info(env, argv[1], &heap_data, &heap_length) != napi_ok) return throw_type_error(env, "conv: heap must be an ArrayBuffer");
  bool is_typed;
  napi_typedarray_type type;
  size_t length;
  void *params_data;
  if (napi_is_typedarray(env, argv[2], &is_typed) != napi_ok || !is_typed) return throw_type_error(env, "conv: params must be a Float64Array");
  napi_get_typedarray_info(env, argv[2], &type, &length, &params_data, NULL, NULL);
  if (type != napi_float64_array || length < P_COUNT) return throw_type_error(env, "conv: params must be a Float64Array of 21 values");
  const double *q = params_data;
  for (int i = 0; i < P_X; i++) {
    if (!(q[i] >= -2147483648.0 && q[i] <= 2147483647.0) || q[i] != (double)(int32_t)q[i]) return throw_type_error(env, "conv: shapes, strides and padding must be 32-bit integers");
  }
  uint8_t *base = heap_data;
  const float *bad = (const float *)(uintptr_t)1;
  if (op == 5 || op == 6) {
    const char *what = op == 5 ? "ReLU gradient" : "sum";
    char message[96];
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
    elementwise(op == 5 ? relu_gradient_task : sum_task, a, b, out, count, q[P_RELU] != 0, (int)q[P_THREADS]);
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
    if (column_sums(x, (int)q[P_N], (int)q[P_CO], out, (int)q[P_THREADS]) != 0) napi_throw_error(env, NULL, "column sums: out of memory");
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
  const int status = op == 0 ? conv_forward(&p, threads) : op == 1 ? conv_input_gradient(&p, threads) : conv_filter_gradient(&p, threads);
  if (status != 0) {
    napi_throw_error(env, NULL, "conv: out of memory");
    return NULL;
  }
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

/* The calling convention's version: src/native.ts refuses an addon built from another version of this file. */
#define CXR8_NATIVE_ABI 3

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  choose_micro_kernel();
  napi_value fn;
  napi_value abi;
  napi_create_int32(env, CXR8_NATIVE_ABI, &abi);
  napi_set_named_property(env, exports, "abi", abi);
  napi_create_function(env, "conv", NAPI_AUTO_LENGTH, js_conv, NULL, &fn);
  napi_set_named_property(env, exports, "conv", fn);
  napi_create_function(env, "kernel", NAPI_AUTO_LENGTH, js_kernel, NULL, &fn);
  napi_set_named_property(env, exports, "kernel", fn);
  napi_create_function(env, "setKernel", NAPI_AUTO_LENGTH, js_set_kernel, NULL, &fn);
  napi_set_named_property(env, exports, "setKernel", fn);
  return exports;
}
