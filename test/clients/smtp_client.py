#!/usr/bin/env python3
"""Submit a message with Python's smtplib and print the outcome as JSON.

argv[1] is a JSON object: host, port, security (plain|starttls|ssl), user, password, mechanism
(optional: PLAIN, LOGIN or CRAM-MD5; default: smtplib's login() picks one), sender, recipients,
message (text; optional: without it only the login is tried).
Prints {"ok": bool, "error": str|None, "code": int|None, "features": {...}, "refused": {...}}.
"""
import json
import smtplib
import sys

from mail_common import close_quietly, error_text, smtp_auth, smtp_error_text, unverified_tls


def main() -> None:
    a = json.loads(sys.argv[1])
    ctx = unverified_tls()
    out = {"ok": False, "error": None, "code": None, "features": {}, "refused": None}
    conn = None
    try:
        if a["security"] == "ssl":
            conn = smtplib.SMTP_SSL(a["host"], a["port"], context=ctx, timeout=15)
        else:
            conn = smtplib.SMTP(a["host"], a["port"], timeout=15)
        conn.ehlo("python.client.test")
        if a["security"] == "starttls":
            conn.starttls(context=ctx)
            conn.ehlo("python.client.test")
        out["features"] = {k: v for k, v in conn.esmtp_features.items()}
        mechanism = a.get("mechanism")
        if mechanism:
            code, _ = smtp_auth(conn, mechanism, a["user"], a["password"])
        else:
            code, _ = conn.login(a["user"], a["password"])
        out["code"] = code
        if a.get("message") is not None:
            out["refused"] = conn.sendmail(a["sender"], a["recipients"], a["message"].encode("utf-8"))
        out["ok"] = True
        conn.quit()
    except smtplib.SMTPResponseException as e:
        out["code"] = e.smtp_code
        out["error"] = smtp_error_text(e)
    except Exception as e:  # the test reads the error text
        out["error"] = error_text(e)
    finally:
        if conn is not None:
            close_quietly(conn.close)
    print(json.dumps(out))


main()
