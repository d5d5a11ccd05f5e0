#!/usr/bin/env python3
"""Retrieve a message over POP3 with Python's poplib from a chosen source address; print JSON.

argv[1] is a JSON object: host, port, source (local address to connect from), stls (optional:
STLS first, the certificate not checked), method (user: USER and PASS; plain: AUTH PLAIN with an
initial response, which poplib sends as a plain command), user, password, retr (message number). Prints {"ok", "error", "welcome", "login", "stat",
"message"}: the login reply, STAT as [count, size] and the retrieved message as text.
"""
import base64
import json
import poplib
import socket
import sys

from mail_common import close_quietly, error_text, unverified_tls


class SourcePOP3(poplib.POP3):
    """poplib connecting from a given local address (the client address the relay must pass on)."""

    def __init__(self, host, port, source, timeout):
        self._source = source
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout, source_address=(self._source, 0))


def main() -> None:
    a = json.loads(sys.argv[1])
    out = {"ok": False, "error": None, "welcome": "", "login": "", "stat": None, "message": ""}
    conn = None
    try:
        conn = SourcePOP3(a["host"], a["port"], a.get("source", "127.0.0.1"), 15)
        out["welcome"] = conn.getwelcome().decode("utf-8", "replace")
        if a.get("stls"):
            conn.stls(context=unverified_tls())
        if a["method"] == "user":
            conn.user(a["user"])
            reply = conn.pass_(a["password"])
        elif a["method"] == "plain":
            token = base64.b64encode(("\0%s\0%s" % (a["user"], a["password"])).encode("utf-8")).decode("ascii")
            reply = conn._shortcmd("AUTH PLAIN " + token)
        else:
            raise ValueError("unknown method " + a["method"])
        out["login"] = reply.decode("utf-8", "replace")
        out["stat"] = list(conn.stat())
        _, lines, _ = conn.retr(a.get("retr", 1))
        out["message"] = "\r\n".join(l.decode("utf-8", "replace") for l in lines)
        out["ok"] = True
        conn.quit()
    except Exception as e:  # the test reads the error text
        out["error"] = error_text(e)
        if conn is not None:
            close_quietly(conn.close)
    print(json.dumps(out))


main()
