/*
 * The row-wise softmax of the closed-form metrics' first pass, fused into one sweep per row: at a
 * vocabulary of 50k classes it touches n x C values, where JS's Math.exp per element costs seconds.
 * Float64 throughout, as the JS route it replaces.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "kernels.h"

/*
 * e^x for x <= 0, in place over a row: libm's exp is a scalar call (~15 ns here), this loop vectorizes.
 * x = n ln2 + r with |r| <= ln2/2, e^r by its Taylor series to r^13 (truncation < 1e-17 relative), 2^n
 * written into the exponent bits. Below -708 (e^x < 1e-307, nothing next to a row's maximum of 1) it
 * gives 0, as libm does from -745 on. Compiled for AVX-512, AVX2 and the baseline, picked at load.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void exp_row(double *restrict z, int32_t n, double shift) {
  const double log2e = 1.4426950408889634, ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  const double magic = 6755399441055744.0; /* 1.5 * 2^52: adding it rounds to an integer held in the low bits */
  for (int32_t c = 0; c < n; c++) {
    double x = z[c] - shift;
    const double keep = x >= -708.0 ? 1.0 : 0.0;
    x = x >= -708.0 ? x : -708.0;
    const double t = x * log2e + magic;
    const double k = t - magic;
    const double r = (x - k * ln2_hi) - k * ln2_lo;
    double p = 1.0 / 6227020800.0;
    p = p * r + 1.0 / 479001600.0;
    p = p * r + 1.0 / 39916800.0;
    p = p * r + 1.0 / 3628800.0;
    p = p * r + 1.0 / 362880.0;
    p = p * r + 1.0 / 40320.0;
    p = p * r + 1.0 / 5040.0;
    p = p * r + 1.0 / 720.0;
    p = p * r + 1.0 / 120.0;
    p = p * r + 1.0 / 24.0;
    p = p * r + 1.0 / 6.0;
    p = p * r + 0.5;
    p = p * r + 1.0;
    p = p * r + 1.0;
    uint64_t bits;
    memcpy(&bits, &t, sizeof bits);
    bits = (bits + 1023) << 52; /* the low bits of t hold k (-1022 <= k <= 0) */
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    z[c] = p * scale * keep;
  }
}

static int32_t *int_data(napi_env env, napi_value v, size_t need) {
  napi_typedarray_type type;
  size_t length, offset;
  void *data;
  napi_value buffer;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok) return NULL;
  if (type != napi_int32_array || length < need) return NULL;
  return (int32_t *)data;
}

/*
 * softmaxRows(z, rows, C, bias, labels, out): each row of z (rows x C logits without bias) becomes its
 * softmax probabilities of z + bias; out[3r..3r+2] = argmax (the first maximum), the cross-entropy loss of
 * labels[r], and sum_c p_c (1 - p_c).
 */
napi_value js_softmax_rows(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  int32_t rows, C;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6 || napi_get_value_int32(env, argv[1], &rows) != napi_ok || napi_get_value_int32(env, argv[2], &C) != napi_ok ||
      rows < 1 || C < 1) {
    napi_throw_error(env, NULL, "plateau_kernels: softmaxRows takes (z, rows >= 1, C >= 1, bias, labels, out)");
    return NULL;
  }
  double *z = double_data(env, argv[0], (size_t)rows * C), *bias = double_data(env, argv[3], (size_t)C);
  int32_t *labels = int_data(env, argv[4], (size_t)rows);
  double *out = double_data(env, argv[5], (size_t)rows * 3);
  if (!z || !bias || !labels || !out) {
    napi_throw_range_error(env, NULL, "plateau_kernels: softmaxRows' arrays do not fit (rows, C)");
    return NULL;
  }
  for (int32_t r = 0; r < rows; r++) {
    double *restrict zr = z + (size_t)r * C;
    const int32_t y = labels[r];
    if (y < 0 || y >= C) { napi_throw_range_error(env, NULL, "plateau_kernels: softmaxRows: a label is outside [0, C)"); return NULL; }
    double zmax = -INFINITY;
    int32_t arg = 0;
    for (int32_t c = 0; c < C; c++) {
      const double v = zr[c] + bias[c];
      zr[c] = v;
      if (v > zmax) {
        zmax = v;
        arg = c;
      }
    }
    const double zy = zr[y];
    exp_row(zr, C, zmax);
    /* four partial sums: the loops vectorize without reassociating one accumulator */
    double s4[4] = {0, 0, 0, 0}, h4[4] = {0, 0, 0, 0};
    int32_t c = 0;
    for (; c + 4 <= C; c += 4)
      for (int u = 0; u < 4; u++) s4[u] += zr[c + u];
    for (; c < C; c++) s4[0] += zr[c];
    const double sum = (s4[0] + s4[1]) + (s4[2] + s4[3]), inv = 1 / sum;
    for (c = 0; c + 4 <= C; c += 4)
      for (int u = 0; u < 4; u++) {
        const double p = zr[c + u] * inv;
        zr[c + u] = p;
        h4[u] += p * (1 - p);
      }
    for (; c < C; c++) {
      const double p = zr[c] * inv;
      zr[c] = p;
      h4[0] += p * (1 - p);
    }
    const double hess = (h4[0] + h4[1]) + (h4[2] + h4[3]);
    out[3 * (size_t)r] = arg;
    out[3 * (size_t)r + 1] = log(sum) - (zy - zmax);
    out[3 * (size_t)r + 2] = hess;
  }
  return NULL;
}
