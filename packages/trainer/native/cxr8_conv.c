/*
 * Native 2-D convolution kernels for the trainer (NHWC, float32): forward (with bias and ReLU), the input gradient and
 * the filter gradient, each as a cache-blocked matrix product (im2col rows packed on the fly) with an AVX2+FMA
 * micro-kernel on x86-64 (chosen at run time) and a portable C one elsewhere, on up to `threads` POSIX threads.
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
 *
 * JavaScript API (src/native.ts wraps it): conv(op, heap, params) with op 0 = forward, 1 = input gradient,
 * 2 = filter gradient, 3 = column sums (out[c] = sum over rows of x[row][c], x a P_N x P_CO matrix: the bias
 * gradient); heap the wasm memory's ArrayBuffer; params a Float64Array (offsets pass 2 GB), see `Conv` below. Returns undefined; throws a
 * TypeError on bad arguments.
 */
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define CXR8_X86 1
#endif

#define MR 6
#define NR 16
#define KC 256
#define MC 96 /* rows of an A block: a multiple of MR */
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

/* ---------------------------------------------------------------- micro-kernels: C[6 x 16] (+)= A panel . B panel */

typedef void (*MicroKernel)(int kc, const float *a, const float *b, float *c, int ldc, int accumulate);

/* Portable micro-kernel: GCC/Clang vector extensions, 4 lanes (SSE on x86, NEON on arm64), 24 accumulators. */
typedef float v4f __attribute__((vector_size(16)));

static inline v4f load4(const float *p) {
  v4f v;
  memcpy(&v, p, sizeof v);
  return v;
}

static void micro_generic(int kc, const float *a, const float *b, float *c, int ldc, int accumulate) {
  v4f acc[MR][NR / 4];
  for (int r = 0; r < MR; r++) {
    for (int q = 0; q < NR / 4; q++) acc[r][q] = (v4f){ 0.0f, 0.0f, 0.0f, 0.0f };
  }
  for (int k = 0; k < kc; k++) {
    const v4f b0 = load4(b), b1 = load4(b + 4), b2 = load4(b + 8), b3 = load4(b + 12);
    for (int r = 0; r < MR; r++) {
      const v4f av = { a[r], a[r], a[r], a[r] };
      acc[r][0] += av * b0;
      acc[r][1] += av * b1;
      acc[r][2] += av * b2;
      acc[r][3] += av * b3;
    }
    a += MR;
    b += NR;
  }
  for (int r = 0; r < MR; r++) {
    float *cr = c + (size_t)r * ldc;
    for (int q = 0; q < NR / 4; q++) {
      v4f v = acc[r][q];
      if (accumulate) v += load4(cr + 4 * q);
      memcpy(cr + 4 * q, &v, sizeof v);
    }
  }
}

#ifdef CXR8_X86
__attribute__((target("avx2,fma"))) static void micro_avx2(int kc, const float *a, const float *b, float *c, int ldc, int accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
    __m256 av;
    av = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(av, b0, c00); c01 = _mm256_fmadd_ps(av, b1, c01);
    av = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(av, b0, c10); c11 = _mm256_fmadd_ps(av, b1, c11);
    av = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(av, b0, c20); c21 = _mm256_fmadd_ps(av, b1, c21);
    av = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(av, b0, c30); c31 = _mm256_fmadd_ps(av, b1, c31);
    av = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(av, b0, c40); c41 = _mm256_fmadd_ps(av, b1, c41);
    av = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(av, b0, c50); c51 = _mm256_fmadd_ps(av, b1, c51);
    a += MR;
    b += NR;
  }
#define CXR8_STORE(r, lo, hi)                                                              \
  do {                                                                                     \
    float *cr = c + (size_t)(r) * ldc;                                                     \
    if (accumulate) {                                                                      \
      _mm256_storeu_ps(cr, _mm256_add_ps(_mm256_loadu_ps(cr), lo));                        \
      _mm256_storeu_ps(cr + 8, _mm256_add_ps(_mm256_loadu_ps(cr + 8), hi));                \
    } else {                                                                               \
      _mm256_storeu_ps(cr, lo);                                                            \
      _mm256_storeu_ps(cr + 8, hi);                                                        \
    }                                                                                      \
  } while (0)
  CXR8_STORE(0, c00, c01);
  CXR8_STORE(1, c10, c11);
  CXR8_STORE(2, c20, c21);
  CXR8_STORE(3, c30, c31);
  CXR8_STORE(4, c40, c41);
  CXR8_STORE(5, c50, c51);
#undef CXR8_STORE
}
#endif

static MicroKernel micro = micro_generic;

static void choose_micro_kernel(void) {
#ifdef CXR8_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) micro = micro_avx2;
#endif
}

/*
 * C[mr x nr] (+)= A panel . B panel for a tile at the edge of C (mr <= MR, nr <= NR): through a full-size scratch tile.
 */
static void micro_edge(int kc, const float *a, const float *b, float *c, int ldc, int accumulate, int mr, int nr) {
  float tile[MR * NR];
  micro(kc, a, b, tile, NR, 0);
  for (int r = 0; r < mr; r++) {
    float *cr = c + (size_t)r * ldc;
    const float *tr = tile + r * NR;
    if (accumulate) {
      for (int j = 0; j < nr; j++) cr[j] += tr[j];
    } else {
      for (int j = 0; j < nr; j++) cr[j] = tr[j];
    }
  }
}

/*
 * C[rows x cols] (+)= A . B over one depth block: `pa` holds ceil(rows / MR) packed A panels (kc x MR each), `pb`
 * ceil(cols / NR) packed B panels (kc x NR each).
 */
static void block_product(int rows, int cols, int kc, const float *pa, const float *pb, float *c, int ldc, int accumulate) {
  for (int j = 0; j < cols; j += NR) {
    const float *bp = pb + (size_t)(j / NR) * kc * NR;
    const int nr = cols - j < NR ? cols - j : NR;
    for (int i = 0; i < rows; i += MR) {
      const float *ap = pa + (size_t)(i / MR) * kc * MR;
      const int mr = rows - i < MR ? rows - i : MR;
      float *ct = c + (size_t)i * ldc + j;
      if (mr == MR && nr == NR) micro(kc, ap, bp, ct, ldc, accumulate);
      else micro_edge(kc, ap, bp, ct, ldc, accumulate, mr, nr);
    }
  }
}

/* ------------------------------------------------------------------------------------------------- im2col rows */

/*
 * Writes im2col rows m0 .. m0 + rows - 1 of x (all K columns) into `dst` (row-major, K floats a row): each tap is a
 * contiguous run of Ci floats, or zeros outside the image.
 */
static void im2col_rows(const Conv *p, int m0, int rows, float *dst) {
  const int k = p->kh * p->kw * p->ci;
  const size_t run = (size_t)p->ci * sizeof(float);
  for (int r = 0; r < rows; r++) {
    const int m = m0 + r;
    const int ox = m % p->wo;
    const int oy = (m / p->wo) % p->ho;
    const int n = m / (p->wo * p->ho);
    float *row = dst + (size_t)r * k;
    for (int i = 0; i < p->kh; i++) {
      const int iy = oy * p->sh + i - p->pt;
      for (int j = 0; j < p->kw; j++) {
        const int ix = ox * p->sw + j - p->pl;
        float *d = row + (size_t)(i * p->kw + j) * p->ci;
        const int inside = iy >= 0 && iy < p->h && ix >= 0 && ix < p->w;
        if (p->ci < 8) { /* a few floats: a loop beats a library call */
          const float *s = inside ? p->x + (((size_t)n * p->h + iy) * p->w + ix) * p->ci : NULL;
          for (int q = 0; q < p->ci; q++) d[q] = inside ? s[q] : 0.0f;
        } else if (inside) {
          memcpy(d, p->x + (((size_t)n * p->h + iy) * p->w + ix) * p->ci, run);
        } else {
          memset(d, 0, run);
        }
      }
    }
  }
}

/* Packs rows x kc of a row-major matrix (leading dimension ld, from column k0) as MR-row panels, zero-padded. */
static void pack_a_rows(const float *src, int ld, int rows, int k0, int kc, float *dst) {
  for (int i = 0; i < rows; i += MR) {
    const int mr = rows - i < MR ? rows - i : MR;
    float *panel = dst + (size_t)(i / MR) * kc * MR;
    for (int r = 0; r < MR; r++) {
      if (r < mr) {
        const float *s = src + (size_t)(i + r) * ld + k0;
        for (int k = 0; k < kc; k++) panel[k * MR + r] = s[k];
      } else {
        for (int k = 0; k < kc; k++) panel[k * MR + r] = 0.0f;
      }
    }
  }
}

/*
 * Packs the transpose of a row-major matrix block as MR-row panels: rows of the product are columns c0 .. c0 + cols - 1
 * of `src`, depth is its rows r0 .. r0 + kc - 1.
 */
static void pack_a_transposed(const float *src, int ld, int r0, int kc, int c0, int cols, float *dst) {
  for (int i = 0; i < cols; i += MR) {
    const int mr = cols - i < MR ? cols - i : MR;
    float *panel = dst + (size_t)(i / MR) * kc * MR;
    for (int k = 0; k < kc; k++) {
      const float *s = src + (size_t)(r0 + k) * ld + c0 + i;
      float *d = panel + k * MR;
      int r = 0;
      for (; r < mr; r++) d[r] = s[r];
      for (; r < MR; r++) d[r] = 0.0f;
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

/* ------------------------------------------------------------------------------------------------------ threads */

typedef struct {
  const Conv *p;
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
  const int k = p->kh * p->kw * p->ci;
  const int width = round_up(p->co, NR);
  float *rows = malloc((size_t)MC * k * sizeof(float));
  float *pa = malloc((size_t)MC * KC * sizeof(float));
  if (rows == NULL || pa == NULL) {
    free(rows);
    free(pa);
    t->failed = 1;
    return NULL;
  }
  for (int m0 = t->begin; m0 < t->end; m0 += MC) {
    const int mc = t->end - m0 < MC ? t->end - m0 : MC;
    im2col_rows(p, m0, mc, rows);
    float *c = p->out + (size_t)m0 * p->co;
    for (int k0 = 0; k0 < k; k0 += KC) {
      const int kc = k - k0 < KC ? k - k0 : KC;
      pack_a_rows(rows, k, mc, k0, kc, pa);
      block_product(mc, p->co, kc, pa, t->packed_b + (size_t)k0 * width, c, p->co, k0 > 0);
    }
    if (p->bias != NULL || p->relu) {
      for (int r = 0; r < mc; r++) {
        float *cr = c + (size_t)r * p->co;
        if (p->bias != NULL) {
          for (int j = 0; j < p->co; j++) cr[j] += p->bias[j];
        }
        if (p->relu) {
          for (int j = 0; j < p->co; j++) cr[j] = cr[j] > 0.0f ? cr[j] : 0.0f;
        }
      }
    }
  }
  free(rows);
  free(pa);
  return NULL;
}

/* ----------------------------------------------------------------------------------------------- input gradient */

static void *input_gradient_task(void *arg) {
  Task *t = arg;
  const Conv *p = t->p;
  const int k = p->kh * p->kw * p->ci;
  const int width = round_up(k, NR);
  const int per_image = p->ho * p->wo;
  float *cols = malloc((size_t)MC * k * sizeof(float));
  float *pa = malloc((size_t)MC * KC * sizeof(float));
  if (cols == NULL || pa == NULL) {
    free(cols);
    free(pa);
    t->failed = 1;
    return NULL;
  }
  const size_t image_size = (size_t)p->h * p->w * p->ci;
  memset(p->out + (size_t)t->begin * image_size, 0, (size_t)(t->end - t->begin) * image_size * sizeof(float));
  for (int m0 = t->begin * per_image; m0 < t->end * per_image; m0 += MC) {
    const int mc = t->end * per_image - m0 < MC ? t->end * per_image - m0 : MC;
    /* cols = dy[m0 .. m0 + mc) . filter^T, depth Co */
    const float *a = p->dy + (size_t)m0 * p->co;
    for (int k0 = 0; k0 < p->co; k0 += KC) {
      const int kc = p->co - k0 < KC ? p->co - k0 : KC;
      pack_a_rows(a, p->co, mc, k0, kc, pa);
      block_product(mc, k, kc, pa, t->packed_b + (size_t)k0 * width, cols, k, k0 > 0);
    }
    /* col2im: add each row's patch back into dx */
    for (int r = 0; r < mc; r++) {
      const int m = m0 + r;
      const int ox = m % p->wo;
      const int oy = (m / p->wo) % p->ho;
      const int n = m / per_image;
      const float *row = cols + (size_t)r * k;
      for (int i = 0; i < p->kh; i++) {
        const int iy = oy * p->sh + i - p->pt;
        if (iy < 0 || iy >= p->h) continue;
        for (int j = 0; j < p->kw; j++) {
          const int ix = ox * p->sw + j - p->pl;
          if (ix < 0 || ix >= p->w) continue;
          float *d = p->out + (((size_t)n * p->h + iy) * p->w + ix) * p->ci;
          const float *s = row + (size_t)(i * p->kw + j) * p->ci;
          for (int q = 0; q < p->ci; q++) d[q] += s[q];
        }
      }
    }
  }
  free(cols);
  free(pa);
  return NULL;
}

/* ---------------------------------------------------------------------------------------------- filter gradient */

/* dW^T (Co x K) = dy^T . im2col(x), accumulated over this thread's output rows into t->partial (Co x K). */
static void *filter_gradient_task(void *arg) {
  Task *t = arg;
  const Conv *p = t->p;
  const int k = p->kh * p->kw * p->ci;
  float *rows = malloc((size_t)KC * k * sizeof(float));
  float *pa = malloc((size_t)round_up(p->co, MR) * KC * sizeof(float));
  float *pb = malloc((size_t)round_up(k, NR) * KC * sizeof(float));
  if (rows == NULL || pa == NULL || pb == NULL) {
    free(rows);
    free(pa);
    free(pb);
    t->failed = 1;
    return NULL;
  }
  for (int m0 = t->begin; m0 < t->end; m0 += KC) {
    const int kc = t->end - m0 < KC ? t->end - m0 : KC;
    im2col_rows(p, m0, kc, rows);
    pack_a_transposed(p->dy, p->co, m0, kc, 0, p->co, pa);
    pack_b(rows, k, 0, kc, k, pb);
    block_product(p->co, k, kc, pa, pb, t->partial, k, m0 > t->begin);
  }
  free(rows);
  free(pa);
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
  const int m = p->n * p->ho * p->wo;
  const int k = p->kh * p->kw * p->ci;
  float *packed_b = pack_whole_b(p->filter, k, p->co, 0, p->co);
  if (packed_b == NULL) return -1;
  threads = clamp_threads(threads, (m + MC - 1) / MC);
  Task tasks[MAX_THREADS];
  const int blocks = (m + MC - 1) / MC;
  for (int t = 0; t < threads; t++) {
    tasks[t] = (Task){ .p = p, .packed_b = packed_b };
    tasks[t].begin = (int)((long)blocks * t / threads) * MC;
    tasks[t].end = (int)((long)blocks * (t + 1) / threads) * MC;
    if (tasks[t].end > m) tasks[t].end = m;
  }
  const int status = run_tasks(forward_task, tasks, threads);
  free(packed_b);
  return status;
}

static int conv_input_gradient(const Conv *p, int threads) {
  const int k = p->kh * p->kw * p->ci;
  /* B = filter^T: depth Co, width K; filter is K x Co row-major */
  float *packed_b = pack_whole_b(p->filter, p->co, k, 1, p->co);
  if (packed_b == NULL) return -1;
  threads = clamp_threads(threads, p->n);
  Task tasks[MAX_THREADS];
  for (int t = 0; t < threads; t++) {
    tasks[t] = (Task){ .p = p, .packed_b = packed_b };
    tasks[t].begin = (int)((long)p->n * t / threads);
    tasks[t].end = (int)((long)p->n * (t + 1) / threads);
  }
  const int status = run_tasks(input_gradient_task, tasks, threads);
  free(packed_b);
  return status;
}

static int conv_filter_gradient(const Conv *p, int threads) {
  const int m = p->n * p->ho * p->wo;
  const int k = p->kh * p->kw * p->ci;
  const size_t size = (size_t)k * p->co;
  threads = clamp_threads(threads, (m + KC - 1) / KC);
  float *partials = malloc(size * threads * sizeof(float));
  if (partials == NULL) return -1;
  Task tasks[MAX_THREADS];
  const int blocks = (m + KC - 1) / KC;
  for (int t = 0; t < threads; t++) {
    tasks[t] = (Task){ .p = p, .partial = partials + size * t };
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

/* ------------------------------------------------------------------------------------------------------- N-API */

enum {
  P_N, P_H, P_W, P_CI, P_KH, P_KW, P_CO, P_HO, P_WO, P_SH, P_SW, P_PT, P_PL, P_RELU,
  P_X, P_FILTER, P_BIAS, P_DY, P_OUT, P_THREADS, P_COUNT
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
  if (napi_get_value_int32(env, argv[0], &op) != napi_ok || op < 0 || op > 3) return throw_type_error(env, "conv: op must be 0, 1, 2 or 3");
  void *heap_data;
  size_t heap_length;
  if (napi_get_arraybuffer_info(env, argv[1], &heap_data, &heap_length) != napi_ok) return throw_type_error(env, "conv: heap must be an ArrayBuffer");
  bool is_typed;
  napi_typedarray_type type;
  size_t length;
  void *params_data;
  if (napi_is_typedarray(env, argv[2], &is_typed) != napi_ok || !is_typed) return throw_type_error(env, "conv: params must be a Float64Array");
  napi_get_typedarray_info(env, argv[2], &type, &length, &params_data, NULL, NULL);
  if (type != napi_float64_array || length < P_COUNT) return throw_type_error(env, "conv: params must be a Float64Array of 20 values");
  const double *q = params_data;
  for (int i = 0; i < P_X; i++) {
    if (!(q[i] >= -2147483648.0 && q[i] <= 2147483647.0) || q[i] != (double)(int32_t)q[i]) return throw_type_error(env, "conv: shapes, strides and padding must be 32-bit integers");
  }
  uint8_t *base = heap_data;
  const float *bad = (const float *)(uintptr_t)1;
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

/* setKernel('generic' | 'avx2-fma'): picks the micro-kernel (tests run both); returns false when this CPU lacks it. */
static napi_value js_set_kernel(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[16] = {0};
  size_t length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length) != napi_ok) {
    return throw_type_error(env, "setKernel(name): expected a string");
  }
  bool done = false;
  if (strcmp(name, "generic") == 0) {
    micro = micro_generic;
    done = true;
  } else if (strcmp(name, "avx2-fma") == 0) {
#ifdef CXR8_X86
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      micro = micro_avx2;
      done = true;
    }
#endif
  } else {
    return throw_type_error(env, "setKernel: expected 'generic' or 'avx2-fma'");
  }
  napi_value result;
  napi_get_boolean(env, done, &result);
  return result;
}

static napi_value js_kernel(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value name;
  napi_create_string_utf8(env, micro == micro_generic ? "generic" : "avx2-fma", NAPI_AUTO_LENGTH, &name);
  return name;
}

/* The calling convention's version: src/native.ts refuses an addon built from another version of this file. */
#define CXR8_NATIVE_ABI 2

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
