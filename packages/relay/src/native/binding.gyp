{
  "targets": [
    {
      "target_name": "portcullis_splice",
      "sources": ["splice.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-O2"]
    }
  ]
}
