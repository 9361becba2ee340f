{
  "targets": [
    {
      "target_name": "plateau_blas",
      "sources": ["src/blas.c"],
      "cflags": ["-O2"],
      "conditions": [["OS=='linux'", { "libraries": ["-ldl"] }]]
    }
  ]
}
