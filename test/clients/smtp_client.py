#!/usr/bin/env python3
"""Submit a message with Python's smtplib and print the outcome as JSON.

argv[1] is a JSON object: host, port, security (plain|starttls|ssl), user, password, mechanism
(optional: PLAIN, LOGIN or CRAM-MD5; default: smtplib's login() picks one), sender, recipients,
message (text; optional: without it only the login is tried).
Prints {"ok": bool, "error": str|None, "code": int|None, "features": {...}, "refused": {...}}.
"""
import json
import smtplib
import ssl
import sys


def main() -> None:
    a = json.loads(sys.argv[1])
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
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
            conn.user, conn.password = a["user"], a["password"]
            handler = {"PLAIN": conn.auth_plain, "LOGIN": conn.auth_login, "CRAM-MD5": conn.auth_cram_md5}[mechanism]
            code, _ = conn.auth(mechanism, handler, initial_response_ok=True)
        else:
            code, _ = conn.login(a["user"], a["password"])
        out["code"] = code
        if a.get("message") is not None:
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
