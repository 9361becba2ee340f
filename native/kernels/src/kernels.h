/* Plateau's native kernels: shared helpers and the functions addon.c registers. */
#ifndef PLATEAU_KERNELS_H
#define PLATEAU_KERNELS_H
#include <node_api.h>
#include <stddef.h>

#define CHECK(call) do { if ((call) != napi_ok) { napi_throw_error(env, NULL, "plateau_kernels: bad argument"); return NULL; } } while (0)

/* The data of a Float32Array holding at least `need` elements, else NULL (nothing is read from a wrong one). */
float *float_data(napi_env env, napi_value v, size_t need);
/* Its length, or 0 if it is not a Float32Array. */
size_t float_length(napi_env env, napi_value v);

/* The data of a Float64Array holding at least `need` elements, else NULL. */
double *double_data(napi_env env, napi_value v, size_t need);
/* A symbol of the BLAS library open() found, else NULL. */
void *blas_symbol(const char *name);

napi_value js_open(napi_env env, napi_callback_info info);
napi_value js_set_threads(napi_env env, napi_callback_info info);
napi_value js_sgemm(napi_env env, napi_callback_info info);
napi_value js_linalg(napi_env env, napi_callback_info info);
napi_value js_dgemm(napi_env env, napi_callback_info info);
napi_value js_dsyrk(napi_env env, napi_callback_info info);
napi_value js_dsyevd(napi_env env, napi_callback_info info);
napi_value js_softmax_rows(napi_env env, napi_callback_info info);
napi_value js_adam(napi_env env, napi_callback_info info);
napi_value js_im2col3x3(napi_env env, napi_callback_info info);
napi_value js_col2im3x3(napi_env env, napi_callback_info info);
napi_value js_maxpool2x2(napi_env env, napi_callback_info info);
napi_value js_gelu(napi_env env, napi_callback_info info);
napi_value js_layer_norm(napi_env env, napi_callback_info info);
napi_value js_layer_norm_grad(napi_env env, napi_callback_info info);
napi_value js_softmax_xent(napi_env env, napi_callback_info info);
napi_value js_attention_forward(napi_env env, napi_callback_info info);
napi_value js_attention_backward(napi_env env, napi_callback_info info);
#endif
