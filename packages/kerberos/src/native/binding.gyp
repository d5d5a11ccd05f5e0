{
  "targets": [
    {
      "target_name": "portcullis_gss",
      "sources": ["gss.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "libraries": ["<!@(krb5-config --libs gssapi)"],
      "cflags_cc": ["<!@(krb5-config --cflags gssapi)", "-std=c++17", "-Wall"]
    }
  ]
}
