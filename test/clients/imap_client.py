#!/usr/bin/env python3
"""Log into an IMAP server with Python's imaplib and print the outcome as JSON.

argv[1] is a JSON object: host, port, security (plain|starttls|ssl), method (login|plain|cram-md5),
user, password. Prints {"ok": bool, "error": str|None, "capabilities": [...], "list": [...]}.
"""
import imaplib
import json
import ssl
import sys


def main() -> None:
    a = json.loads(sys.argv[1])
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    out = {"ok": False, "error": None, "capabilities": [], "list": []}
    conn = None
    try:
        if a["security"] == "ssl":
            conn = imaplib.IMAP4_SSL(a["host"], a["port"], ssl_context=ctx, timeout=15)
        else:
            conn = imaplib.IMAP4(a["host"], a["port"], timeout=15)
            if a["security"] == "starttls":
                conn.starttls(ssl_context=ctx)
        out["capabilities"] = list(conn.capabilities)
        user, password, method = a["user"], a["password"], a["method"]
        if method == "login":
            conn.login(user, password)
        elif method == "plain":
            conn.authenticate("PLAIN", lambda _c: ("\0%s\0%s" % (user, password)).encode())
        elif method == "cram-md5":
            conn.login_cram_md5(user, password)
        else:
            raise ValueError("unknown method " + method)
        typ, data = conn.list()
        out["list"] = [d.decode("utf-8", "replace") for d in data if isinstance(d, bytes)]
        out["ok"] = typ == "OK"
        conn.logout()
    except Exception as e:  # the test reads the error text
        out["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        try:
            if conn is not None and conn.sock is not None:
                conn.shutdown()
        except Exception:
            pass
    print(json.dumps(out))


main()
