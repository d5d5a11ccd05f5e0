#!/usr/bin/env python3
"""Log into a POP3 server with Python's poplib and print the outcome as JSON.

argv[1] is a JSON object: host, port, security (plain|starttls|ssl), method (user|apop), user,
password. Prints {"ok": bool, "error": str|None, "welcome": str, "capa": {...}, "stat": [n, size]}.
"""
import json
import poplib
import sys

from mail_common import close_quietly, error_text, unverified_tls


def main() -> None:
    a = json.loads(sys.argv[1])
    ctx = unverified_tls()
    out = {"ok": False, "error": None, "welcome": "", "capa": {}, "stat": None}
    conn = None
    try:
        if a["security"] == "ssl":
            conn = poplib.POP3_SSL(a["host"], a["port"], context=ctx, timeout=15)
        else:
            conn = poplib.POP3(a["host"], a["port"], timeout=15)
        out["welcome"] = conn.getwelcome().decode("utf-8", "replace")
        if a["security"] == "starttls":
            conn.stls(context=ctx)
        out["capa"] = conn.capa()
        user, password, method = a["user"], a["password"], a["method"]
        if method == "user":
            conn.user(user)
            conn.pass_(password)
        elif method == "apop":
            conn.apop(user, password)
        else:
            raise ValueError("unknown method " + method)
        out["stat"] = list(conn.stat())
        out["ok"] = True
        conn.quit()
    except Exception as e:  # the test reads the error text
        out["error"] = error_text(e)
        if conn is not None:
            close_quietly(conn.close)
    print(json.dumps(out))


main()
