#!/usr/bin/env python3
"""Drive an FTP server with Python's ftplib (FTP, or FTP_TLS with auth() and prot_p()) and print
the outcome as JSON.

argv[1] is a JSON object: host, port, security (plain|tls), prot (P|C, with tls), user, password,
steps: a list of [op, args...] with op one of pwd, cwd, mkdir, rmdir, upload (name, text),
download (name), delete (name), list (dir?), nlst (dir?), mlsd (dir?), size (name), rename (a, b),
raw (command line). Each step's result goes into "results"; the first error stops the run.
Prints {"ok": bool, "error": str|None, "welcome": str, "login": str, "results": [...]}.
"""
import ftplib
import io
import json
import ssl
import sys


def main() -> None:
    a = json.loads(sys.argv[1])
    out = {"ok": False, "error": None, "welcome": "", "login": "", "results": []}
    conn = None
    try:
        if a.get("security") == "tls":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            conn = ftplib.FTP_TLS(context=ctx, timeout=15)
        else:
            conn = ftplib.FTP(timeout=15)
        out["welcome"] = conn.connect(a["host"], a["port"])
        if a.get("security") == "tls":
            conn.auth()
        out["login"] = conn.login(a["user"], a["password"])
        if a.get("security") == "tls" and a.get("prot", "P") == "P":
            conn.prot_p()
        for step in a.get("steps", []):
            op, args = step[0], step[1:]
            if op == "pwd":
                r = conn.pwd()
            elif op == "cwd":
                r = conn.cwd(args[0])
            elif op == "mkdir":
                r = conn.mkd(args[0])
            elif op == "rmdir":
                r = conn.rmd(args[0])
            elif op == "upload":
                r = conn.storbinary("STOR " + args[0], io.BytesIO(args[1].encode()))
            elif op == "download":
                buf = io.BytesIO()
                conn.retrbinary("RETR " + args[0], buf.write)
                r = buf.getvalue().decode()
            elif op == "delete":
                r = conn.delete(args[0])
            elif op == "list":
                lines = []
                conn.retrlines("LIST" + (" " + args[0] if args else ""), lines.append)
                r = lines
            elif op == "nlst":
                r = conn.nlst(*args)
            elif op == "mlsd":
                r = [name for name, _facts in conn.mlsd(*args)]
            elif op == "size":
                r = conn.size(args[0])
            elif op == "rename":
                r = conn.rename(args[0], args[1])
            elif op == "raw":
                try:
                    r = conn.sendcmd(args[0])
                except ftplib.Error as e:
                    r = str(e)
            else:
                raise ValueError("unknown step " + op)
            out["results"].append(r)
        out["ok"] = True
        conn.quit()
    except Exception as e:  # report every failure as data for the test to assert on
        out["error"] = "%s: %s" % (type(e).__name__, e)
        if conn is not None:
            try:
                conn.close()
            except Exception:
                pass
    print(json.dumps(out))


if __name__ == "__main__":
    main()
