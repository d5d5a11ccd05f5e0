#!/usr/bin/env python3
"""Log into an IMAP server with Python's imaplib, SELECT INBOX and FETCH one message; print JSON.

argv[1] is a JSON object: host, port, method (login|plain|cram-md5), user, password, and
optionally message (sequence number, default 1). Prints {"ok": bool, "error": str|None,
"exists": int, "message": str, "capabilities": [...]} (capabilities as known after login).
"""
import imaplib
import json
import sys

from mail_common import close_quietly, error_text, imap_login


def main() -> None:
    a = json.loads(sys.argv[1])
    out = {"ok": False, "error": None, "exists": 0, "message": "", "capabilities": []}
    conn = None
    try:
        conn = imaplib.IMAP4(a["host"], a["port"], timeout=30)
        imap_login(conn, a["method"], a["user"], a["password"])
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
        out["error"] = error_text(e)
    finally:
        if conn is not None and getattr(conn, "sock", None) is not None:
            close_quietly(conn.shutdown)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
