#!/usr/bin/env python3
"""Submit one message with Python's smtplib from a chosen source address; print JSON.

argv[1] is a JSON object: host, port, source (local address to connect from), mechanism (PLAIN,
LOGIN or CRAM-MD5), user, password, sender, recipients, message (text).
Prints {"ok", "error", "code" (of AUTH, or of the failing reply), "refused"}.
"""
import json
import smtplib
import sys


def main() -> None:
    a = json.loads(sys.argv[1])
    out = {"ok": False, "error": None, "code": None, "refused": None}
    conn = None
    try:
        conn = smtplib.SMTP(a["host"], a["port"], timeout=15, source_address=(a.get("source", "127.0.0.1"), 0))
        conn.ehlo("python.client.test")
        conn.user, conn.password = a["user"], a["password"]
        mechanism = a["mechanism"]
        handler = {"PLAIN": conn.auth_plain, "LOGIN": conn.auth_login, "CRAM-MD5": conn.auth_cram_md5}[mechanism]
        code, _ = conn.auth(mechanism, handler, initial_response_ok=True)
        out["code"] = code
        out["refused"] = conn.sendmail(a["sender"], a["recipients"], a["message"].encode("utf-8"))
        out["ok"] = True
        conn.quit()
    except smtplib.SMTPResponseException as e:
        out["code"] = e.smtp_code
        out["error"] = "%s: %s %s" % (type(e).__name__, e.smtp_code, e.smtp_error.decode("utf-8", "replace"))
    except Exception as e:  # the test reads the error text
        out["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        try:
            if conn is not None:
                conn.close()
        except Exception:
            pass
    print(json.dumps(out))


main()
