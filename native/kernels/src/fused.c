/*
 * Fused element-wise and row kernels of a transformer step: GPT-2's tanh GELU and its derivative,
 * LayerNorm and its backward, softmax cross-entropy with its gradient. tfjs composes each from 10-30
 * wasm kernels, one trip through memory apiece, and wasm's tanh and exp are scalar library calls.
 * exp and tanh here are branch-free polynomial forms (Cephes' expf, Eigen's float tanh; errors below
 * 4e-7 relative) that the compiler vectorises; sums run in double.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fastmath.h"
#include "kernels.h"

#define GELU_C 0.7978845608028654f /* sqrt(2 / pi) */
#define GELU_K 0.044715f

/* The loops of gelu(): out = gelu(x), or a * gelu'(x). */
SIMD_CLONES static void gelu_loop(int mode, const float *restrict x, const float *restrict a, float *restrict out, size_t n) {
  if (mode == 0) {
    for (size_t i = 0; i < n; i++) {
      const float v = x[i];
      out[i] = 0.5f * v * (1.0f + tanh_f(GELU_C * (v + GELU_K * v * v * v)));
    }
  } else {
    for (size_t i = 0; i < n; i++) {
      const float v = x[i], u = GELU_C * (v + GELU_K * v * v * v), t = tanh_f(u);
      /* 1 - t^2 as 4 e / (1 + e)^2, e = exp(-2 |u|): accurate where t rounds to 1 (x v^2 would amplify that error) */
      const float e = exp_f(-2.0f * fabsf(u)), sech2 = 4.0f * e / ((1.0f + e) * (1.0f + e));
      const float du = GELU_C * (1.0f + 3.0f * GELU_K * v * v);
      out[i] = a[i] * (0.5f * (1.0f + t) + 0.5f * v * sech2 * du);
    }
  }
}

/* gelu(mode, x, a, out): mode 0 out = gelu(x) (a unread); mode 1 out = a * gelu'(x). One length. */
napi_value js_gelu(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  int32_t mode;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) { napi_throw_error(env, NULL, "plateau_kernels: gelu takes 4 arguments"); return NULL; }
  CHECK(napi_get_value_int32(env, argv[0], &mode));
  size_t n = float_length(env, argv[1]);
  const float *restrict x = float_data(env, argv[1], n), *restrict a = float_data(env, argv[2], n);
  float *restrict out = float_data(env, argv[3], n);
  if (!x || !a || !out || n == 0) { napi_throw_range_error(env, NULL, "plateau_kernels: gelu's operands must be Float32Arrays of one length"); return NULL; }
  gelu_loop(mode, x, a, out, n);
  return NULL;
}

/* Mean and 1 / sqrt(var + eps) of one row, both passes in double. */
static void row_stats(const float *x, size_t d, double eps, float *mean, float *rstd) {
  double s = 0, q = 0;
  for (size_t j = 0; j < d; j++) s += x[j];
  const double m = s / (double)d;
  for (size_t j = 0; j < d; j++) q += (x[j] - m) * (x[j] - m);
  *mean = (float)m;
  *rstd = (float)(1.0 / sqrt(q / (double)d + eps));
}

/* The rows of layerNorm(). */
SIMD_CLONES static void layer_norm_rows(const float *x, const float *g, const float *b, float *y, size_t rows, size_t d, double eps) {
  for (size_t r = 0; r < rows; r++) {
    const float *restrict xr = x + r * d;
    float *restrict yr = y + r * d;
    float mean, rstd;
    row_stats(xr, d, eps, &mean, &rstd);
    for (size_t j = 0; j < d; j++) yr[j] = (xr[j] - mean) * rstd * g[j] + b[j];
  }
}

/* layerNorm(x, g, b, y, d, eps): y = (x - mean) / sqrt(var + eps) * g + b over rows of d. */
napi_value js_layer_norm(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  int32_t di;
  double eps;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) { napi_throw_error(env, NULL, "plateau_kernels: layerNorm takes 6 arguments"); return NULL; }
  CHECK(napi_get_value_int32(env, argv[4], &di));
  CHECK(napi_get_value_double(env, argv[5], &eps));
  size_t n = float_length(env, argv[0]), d = (size_t)(di > 0 ? di : 0);
  const float *x = float_data(env, argv[0], n), *g = float_data(env, argv[1], d), *b = float_data(env, argv[2], d);
  float *y = float_data(env, argv[3], n);
  if (!x || !g || !b || !y || d == 0 || n % d != 0) { napi_throw_range_error(env, NULL, "plateau_kernels: layerNorm's operands do not fit rows of d"); return NULL; }
  layer_norm_rows(x, g, b, y, n / d, d, eps);
  return NULL;
}

/* The rows of layerNormGrad(): dx, and the sums of dy xh and dy over rows added into acc[0..d) and acc[d..2d). */
SIMD_CLONES static void layer_norm_grad_rows(const float *dy, const float *x, const float *g, float *dx, double *acc, float *xh, size_t rows, size_t d,
                                             double eps) {
  for (size_t r = 0; r < rows; r++) {
    const float *restrict xr = x + r * d, *restrict dyr = dy + r * d;
    float *restrict dxr = dx + r * d;
    float mean, rstd;
    row_stats(xr, d, eps, &mean, &rstd);
    double se = 0, sex = 0;
    for (size_t j = 0; j < d; j++) {
      xh[j] = (xr[j] - mean) * rstd;
      const float e = dyr[j] * g[j];
      se += e;
      sex += e * xh[j];
      acc[j] += dyr[j] * xh[j];
      acc[d + j] += dyr[j];
    }
    const float me = (float)(se / (double)d), mex = (float)(sex / (double)d);
    for (size_t j = 0; j < d; j++) dxr[j] = rstd * (dyr[j] * g[j] - me - xh[j] * mex);
  }
}

/*
 * layerNormGrad(dy, x, g, dx, dg, db, d, eps): with xh = (x - mean) * rstd and e = dy * g,
 * dx = rstd (e - mean(e) - xh mean(e xh)) per row; dg = sum over rows of dy xh, db = sum of dy.
 */
napi_value js_layer_norm_grad(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  int32_t di;
  double eps;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8) { napi_throw_error(env, NULL, "plateau_kernels: layerNormGrad takes 8 arguments"); return NULL; }
  CHECK(napi_get_value_int32(env, argv[6], &di));
  CHECK(napi_get_value_double(env, argv[7], &eps));
  size_t n = float_length(env, argv[0]), d = (size_t)(di > 0 ? di : 0);
  const float *dy = float_data(env, argv[0], n), *x = float_data(env, argv[1], n), *g = float_data(env, argv[2], d);
  float *dx = float_data(env, argv[3], n), *dg = float_data(env, argv[4], d), *db = float_data(env, argv[5], d);
  if (!dy || !x || !g || !dx || !dg || !db || d == 0 || n % d != 0) {
    napi_throw_range_error(env, NULL, "plateau_kernels: layerNormGrad's operands do not fit rows of d");
    return NULL;
  }
  double *acc = calloc(2 * d, sizeof(double));
  float *xh = malloc(d * sizeof(float));
  if (!acc || !xh) { free(acc); free(xh); napi_throw_error(env, NULL, "plateau_kernels: out of memory"); return NULL; }
  layer_norm_grad_rows(dy, x, g, dx, acc, xh, n / d, d, eps);
  for (size_t j = 0; j < d; j++) {
    dg[j] = (float)acc[j];
    db[j] = (float)acc[d + j];
  }
  free(acc);
  free(xh);
  return NULL;
}

/* The rows of softmaxXent(); returns the summed loss. */
SIMD_CLONES static double xent_rows(const float *z, const float *y, float *grad, size_t rows, size_t C) {
  const float inv = 1.0f / (float)rows;
  double loss = 0;
  for (size_t r = 0; r < rows; r++) {
    const float *restrict zr = z + r * C, *restrict yr = y + r * C;
    float *restrict gr = grad + r * C;
    float m = zr[0];
    for (size_t c = 1; c < C; c++) m = zr[c] > m ? zr[c] : m;
    for (size_t c = 0; c < C; c++) gr[c] = exp_f(zr[c] - m); /* its own loop: vectorised */
    double s = 0, picked = 0;
    for (size_t c = 0; c < C; c++) {
      s += gr[c];
      picked += (double)zr[c] * yr[c];
    }
    loss += (double)m + log(s) - picked;
    const float k = (float)(1.0 / s);
    for (size_t c = 0; c < C; c++) gr[c] = (gr[c] * k - yr[c]) * inv;
  }
  return loss;
}

/*
 * softmaxXent(z, y, grad, C): rows of logits z and target distributions y (each summing to 1);
 * grad = (softmax(z) - y) / rows, the gradient of the returned mean cross-entropy.
 */
napi_value js_softmax_xent(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], result;
  int32_t ci;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) { napi_throw_error(env, NULL, "plateau_kernels: softmaxXent takes 4 arguments"); return NULL; }
  CHECK(napi_get_value_int32(env, argv[3], &ci));
  size_t n = float_length(env, argv[0]), C = (size_t)(ci > 0 ? ci : 0);
  const float *z = float_data(env, argv[0], n), *y = float_data(env, argv[1], n);
  float *grad = float_data(env, argv[2], n);
  if (!z || !y || !grad || C == 0 || n % C != 0) { napi_throw_range_error(env, NULL, "plateau_kernels: softmaxXent's operands do not fit rows of C"); return NULL; }
  const size_t rows = n / C;
  const double loss = xent_rows(z, y, grad, rows, C);
  CHECK(napi_create_double(env, loss / (double)rows, &result));
  return result;
}
