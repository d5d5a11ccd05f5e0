#!/usr/bin/env python3
"""Submit one message with Python's smtplib from a chosen source address; print JSON.

argv[1] is a JSON object: host, port, source (local address to connect from), mechanism (PLAIN,
LOGIN or CRAM-MD5), user, password, sender, recipients, message (text).
Prints {"ok", "error", "code" (of AUTH, or of the failing reply), "refused"}.
"""
import json
import smtplib
import sys

from mail_common import close_quietly, error_text, smtp_auth, smtp_error_text


def main() -> None:
    a = json.loads(sys.argv[1])
    out = {"ok": False, "error": None, "code": None, "refused": None}
    conn = None
    try:
        conn = smtplib.SMTP(a["host"], a["port"], timeout=15, source_address=(a.get("source", "127.0.0.1"), 0))
        conn.ehlo("python.client.test")
        code, _ = smtp_auth(conn, a["mechanism"], a["user"], a["password"])
        out["code"] = code
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
