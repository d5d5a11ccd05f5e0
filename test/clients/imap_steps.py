#!/usr/bin/env python3
"""Run IMAP steps as one or more users with Python's imaplib and print the answers as JSON.

argv[1] is a JSON object: host, ports {user: port}, passwords {user: password}, steps
[[user, method, *args]]. One connection per user, opened (and logged in) at its first step.
Each answer is [typ, [data decoded]], or ["error", message] when imaplib raised (a BAD or NO
it turns into an exception). "raw" KEY COMMAND ARGS... sends a command as it is and answers
its untagged responses named KEY (imaplib's select() refuses a READ-ONLY SELECT answer).
"""
import imaplib
import json
import sys


def dec(data):
    res = []
    for d in data or []:
        if isinstance(d, tuple):
            d = b"".join(x for x in d if isinstance(x, bytes))
        res.append(d.decode("utf-8", "replace") if isinstance(d, bytes) else d)
    return res


def main() -> None:
    a = json.loads(sys.argv[1])
    conns, out = {}, []
    for step in a["steps"]:
        user, method, args = step[0], step[1], step[2:]
        try:
            if user not in conns:
                c = imaplib.IMAP4(a["host"], a["ports"][user], timeout=15)
                c.login(user, a["passwords"][user])
                conns[user] = c
            c = conns[user]
            if method == "raw":
                key, name = args[0], args[1]
                imaplib.Commands.setdefault(name, ("AUTH", "SELECTED"))
                typ, data = c._simple_command(name, *args[2:])
                typ, data = c._untagged_response(typ, data, key)
                c.untagged_responses.pop("READ-ONLY", None)
            else:
                typ, data = getattr(c, method)(*args)
            out.append([typ, dec(data)])
        except Exception as e:  # the test reads the error text
            out.append(["error", str(e)])
    for c in conns.values():
        try:
            c.logout()
        except Exception:
            pass
    print(json.dumps(out))


main()
