/*
 * exp and tanh for float as branch-free polynomial forms (Cephes' expf, Eigen's float tanh; relative
 * errors below 4e-7) that the compiler vectorises: the C library's are scalar calls.
 */
#ifndef PLATEAU_FASTMATH_H
#define PLATEAU_FASTMATH_H
#include <stdint.h>
#include <string.h>

/*
 * Loops over these compile for AVX-512, AVX2 and the baseline on x86-64 with gcc, picked at load (as
 * softmax.c's exp_row): 16 or 8 floats a step instead of 4.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif
#ifndef SIMD_CLONES
#define SIMD_CLONES
#endif

/* exp(x) for float x, relative error < 1e-7; clamped to the float range instead of over/underflowing. */
static inline float exp_f(float x) {
  x = x > 88.3762626647949f ? 88.3762626647949f : x;
  x = x < -87.3365447505531f ? -87.3365447505531f : x;
  const float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f; /* round to nearest */
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/* tanh(x) as a 13/6 rational function on [-7.999, 7.999] (beyond it tanh is 1 in float). */
static inline float tanh_f(float x) {
  const float c = 7.99881172180175781f;
  x = x > c ? c : x;
  x = x < -c ? -c : x;
  const float x2 = x * x;
  float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return p * x / q;
}
#endif
