#!/usr/bin/python3
"""Log into an XMPP server with slixmpp (Debian's python3-slixmpp) and print the outcome as JSON.

argv[1] is a JSON object: host, port, security (none|starttls|implicit), jid, password,
mechanism (PLAIN|DIGEST-MD5|SCRAM-SHA-1|SCRAM-SHA-256), and optionally send_to + body (a chat
message sent after login), wait_for_message (seconds to wait for one incoming message) and ping.
Prints {"ok": bool, "error": str|None, "jid": str|None, "received": [{"from":..,"body":..}],
"pong": bool}.
"""
import asyncio
import json
import logging
import ssl
import sys

import slixmpp

logging.disable(logging.CRITICAL)


class Client(slixmpp.ClientXMPP):
    def __init__(self, a):
        super().__init__(a["jid"], a["password"], sasl_mech=a["mechanism"])
        self.a = a
        self.out = {"ok": False, "error": None, "jid": None, "received": [], "pong": False}
        self.done = asyncio.get_event_loop().create_future()
        self.got_message = asyncio.Event()
        mech = self["feature_mechanisms"]
        mech.unencrypted_plain = True
        mech.unencrypted_digest = True
        # no tls-unique channel binding (TLS 1.3 has none): plain SCRAM with the 'n' flag
        default_cb = mech.sasl_callback

        def creds(required, optional):
            values = default_cb(required, optional)
            if "channel_binding" in values:
                values["channel_binding"] = None
            return values

        mech.sasl_callback = creds
        self.ssl_context.check_hostname = False
        self.ssl_context.verify_mode = ssl.CERT_NONE
        self.register_plugin("xep_0199")
        self.add_event_handler("session_start", self.on_start)
        self.add_event_handler("failed_auth", self.on_failed)
        self.add_event_handler("message", self.on_message)
        self.add_event_handler("disconnected", self.on_disconnected)

    def finish(self):
        if not self.done.done():
            self.done.set_result(True)

    def on_failed(self, failure):
        cond = None
        for child in failure.xml:
            tag = child.tag.split("}")[-1]
            if tag != "text":
                cond = tag
        self.out["error"] = cond or "failed_auth"
        self.disconnect()
        self.finish()

    def on_disconnected(self, _event):
        self.finish()

    def on_message(self, msg):
        if msg["type"] in ("chat", "normal"):
            self.out["received"].append({"from": str(msg["from"]), "body": msg["body"]})
            self.got_message.set()

    async def on_start(self, _event):
        self.out["ok"] = True
        self.out["jid"] = str(self.boundjid)
        self.send_presence()
        await self.get_roster()
        if self.a.get("ping"):
            try:
                await self["xep_0199"].ping(jid=self.boundjid.domain, timeout=10)
                self.out["pong"] = True
            except Exception as e:  # noqa: BLE001
                self.out["error"] = "ping: %s" % e
        if self.a.get("send_to"):
            self.send_message(mto=self.a["send_to"], mbody=self.a.get("body", ""), mtype="chat")
        wait = self.a.get("wait_for_message")
        if wait:
            try:
                await asyncio.wait_for(self.got_message.wait(), wait)
            except asyncio.TimeoutError:
                pass
        await asyncio.sleep(0.3)
        self.disconnect()
        self.finish()


async def run(a):
    c = Client(a)
    sec = a["security"]
    c.connect(
        (a["host"], a["port"]),
        use_ssl=(sec == "implicit"),
        force_starttls=(sec == "starttls"),
        disable_starttls=(sec != "starttls"),
    )
    try:
        await asyncio.wait_for(c.done, a.get("timeout", 20))
    except asyncio.TimeoutError:
        c.out["error"] = c.out["error"] or "timeout"
    return c.out


def main():
    a = json.loads(sys.argv[1])
    out = asyncio.get_event_loop().run_until_complete(run(a))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
