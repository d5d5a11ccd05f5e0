#!/usr/bin/env python3
"""Log into an IMAP server with Python's imaplib and print the outcome as JSON.

argv[1] is a JSON object: host, port, security (plain|starttls|ssl), method (login|plain|cram-md5),
user, password. Prints {"ok": bool, "error": str|None, "capabilities": [...], "list": [...]}.
"""
import imaplib
import json
import sys

from mail_common import close_quietly, error_text, imap_login, unverified_tls


def main() -> None:
    a = json.loads(sys.argv[1])
    ctx = unverified_tls()
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
        imap_login(conn, a["method"], a["user"], a["password"])
        typ, data = conn.list()
        out["list"] = [d.decode("utf-8", "replace") for d in data if isinstance(d, bytes)]
        out["ok"] = typ == "OK"
        conn.logout()
    except Exception as e:  # the test reads the error text
        out["error"] = error_text(e)
    finally:
        if conn is not None and getattr(conn, "sock", None) is not None:
            close_quietly(conn.shutdown)
    print(json.dumps(out))


main()
