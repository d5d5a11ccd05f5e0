{
  "targets": [
    {
      "target_name": "os_auth_crypt",
      "sources": ["crypt.c"],
      "libraries": ["-lcrypt"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
