#!/usr/bin/env python3
"""Log into an IMAP server with Python's imaplib, SELECT INBOX and FETCH one message; print JSON.

argv[1] is a JSON object: host, port, method (login|plain|cram-md5), user, password, and
optionally message (sequence number, default 1). Prints {"ok": bool, "error": str|None,
"exists": int, "message": str, "capabilities": [...]} (capabilities as known after login).
"""
import imaplib
import json
import sys


def main() -> None:
    a = json.loads(sys.argv[1])
    out = {"ok": False, "error": None, "exists": 0, "message": "", "capabilities": []}
    conn = None
    try:
        conn = imaplib.IMAP4(a["host"], a["port"], timeout=30)
        user, password, method = a["user"], a["password"], a["method"]
        if method == "login":
            typ, data = conn.login(user, password)
        elif method == "plain":
            typ, data = conn.authenticate("PLAIN", lambda _c: ("\0%s\0%s" % (user, password)).encode())
        elif method == "cram-md5":
            typ, data = conn.login_cram_md5(user, password)
        else:
            raise ValueError("unknown method " + method)
        typ, data = conn.capability()
        out["capabilities"] = data[0].decode().split() if data and data[0] else []
        typ, data = conn.select("INBOX")
        out["exists"] = int(data[0])
        typ, data = conn.fetch(str(a.get("message", 1)), "(BODY.PEEK[])")
        for part in data:
            if isinstance(part, tuple):
                out["message"] += part[1].decode("utf-8", "replace")
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


if __name__ == "__main__":
    main()
