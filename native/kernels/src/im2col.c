/*
 * im2col and its adjoint col2im for a 3x3 convolution, stride 1, zero padding 1, on NHWC tensors where
 * they lie in wasm memory: the convolution then is one sgemm on the BLAS. Column layout (row-major
 * [n*h*w, 9c]): row (b, i, j) holds the 3x3 window around pixel (i, j), entry (kh*3 + kw)*c + ci =
 * x[b, i+kh-1, j+kw-1, ci] (0 outside the image). In NHWC a window row is 3c contiguous floats.
 */
#include <string.h>
#include "kernels.h"

typedef struct { float *x, *cols; int n, h, w, c; } conv_args;

/* (x, cols, n, h, w, c): checks both arrays against the shape before any pointer is used. */
static int read_args(napi_env env, napi_callback_info info, int cols_first, conv_args *a) {
  size_t argc = 6;
  napi_value argv[6];
  int32_t d[4];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 6) return 0;
  for (int i = 0; i < 4; i++) {
    if (napi_get_value_int32(env, argv[2 + i], &d[i]) != napi_ok || d[i] < 1) return 0;
  }
  a->n = d[0], a->h = d[1], a->w = d[2], a->c = d[3];
  size_t px = (size_t)a->n * a->h * a->w;
  a->x = float_data(env, argv[cols_first ? 1 : 0], px * a->c);
  a->cols = float_data(env, argv[cols_first ? 0 : 1], px * 9 * a->c);
  return a->x && a->cols;
}

#define BAD_ARGS(name) \
  napi_throw_range_error(env, NULL, "plateau_kernels: " name " takes (Float32Array, Float32Array, n, h, w, c) of matching sizes")

/* im2col3x3(x, cols, n, h, w, c): fills cols [n*h*w, 9c] from x [n, h, w, c]. */
napi_value js_im2col3x3(napi_env env, napi_callback_info info) {
  conv_args a;
  if (!read_args(env, info, 0, &a)) { BAD_ARGS("im2col3x3"); return NULL; }
  const int h = a.h, w = a.w, c = a.c;
  const size_t rowLen = (size_t)9 * c;
  float *out = a.cols;
  for (int b = 0; b < a.n; b++) {
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++, out += rowLen) {
        /* the window's columns j-1..j+1 clipped to the image: one contiguous run per window row */
        const int j0 = j > 0 ? j - 1 : 0, j1 = j < w - 1 ? j + 1 : w - 1;
        const size_t lead = (size_t)(j0 - (j - 1)) * c, run = (size_t)(j1 - j0 + 1) * c;
        for (int kh = 0; kh < 3; kh++) {
          float *dst = out + (size_t)kh * 3 * c;
          const int si = i + kh - 1;
          if (si < 0 || si >= h) { memset(dst, 0, sizeof(float) * 3 * c); continue; }
          if (lead) memset(dst, 0, sizeof(float) * lead);
          memcpy(dst + lead, a.x + (((size_t)b * h + si) * w + j0) * c, sizeof(float) * run);
          if (lead + run < (size_t)3 * c) memset(dst + lead + run, 0, sizeof(float) * (3 * c - lead - run));
        }
      }
    }
  }
  return NULL;
}

/* col2im3x3(cols, x, n, h, w, c): x [n, h, w, c] = the adjoint of im2col applied to cols (sums overlaps). */
napi_value js_col2im3x3(napi_env env, napi_callback_info info) {
  conv_args a;
  if (!read_args(env, info, 1, &a)) { BAD_ARGS("col2im3x3"); return NULL; }
  const int h = a.h, w = a.w, c = a.c;
  const size_t rowLen = (size_t)9 * c;
  memset(a.x, 0, sizeof(float) * (size_t)a.n * h * w * c);
  const float *in = a.cols;
  for (int b = 0; b < a.n; b++) {
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++, in += rowLen) {
        const int j0 = j > 0 ? j - 1 : 0, j1 = j < w - 1 ? j + 1 : w - 1;
        const size_t lead = (size_t)(j0 - (j - 1)) * c, run = (size_t)(j1 - j0 + 1) * c;
        for (int kh = 0; kh < 3; kh++) {
          const int si = i + kh - 1;
          if (si < 0 || si >= h) continue;
          const float *restrict src = in + (size_t)kh * 3 * c + lead;
          float *restrict dst = a.x + (((size_t)b * h + si) * w + j0) * c;
          for (size_t k = 0; k < run; k++) dst[k] += src[k];
        }
      }
    }
  }
  return NULL;
}
