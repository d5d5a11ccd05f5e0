"""What the Python mail client scripts share (imported from the script's own folder, which Python
puts first on sys.path): TLS without certificate checks, the error text the tests read, SMTP AUTH
and IMAP login by method, and closing a connection that may already be broken.
"""
import ssl


def unverified_tls() -> ssl.SSLContext:
    """A client TLS context for the tests' self-signed server certificates: nothing checked."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def error_text(e: BaseException) -> str:
    return "%s: %s" % (type(e).__name__, e)


def smtp_error_text(e) -> str:
    """An smtplib.SMTPResponseException with its reply code and text."""
    return "%s: %s %s" % (type(e).__name__, e.smtp_code, e.smtp_error.decode("utf-8", "replace"))


def smtp_auth(conn, mechanism: str, user: str, password: str):
    """AUTH with the named mechanism (PLAIN, LOGIN or CRAM-MD5), the initial response sent at once."""
    conn.user, conn.password = user, password
    handler = {"PLAIN": conn.auth_plain, "LOGIN": conn.auth_login, "CRAM-MD5": conn.auth_cram_md5}[mechanism]
    return conn.auth(mechanism, handler, initial_response_ok=True)


def imap_login(conn, method: str, user: str, password: str):
    """imaplib login by method: login (LOGIN), plain (AUTHENTICATE PLAIN) or cram-md5."""
    if method == "login":
        return conn.login(user, password)
    if method == "plain":
        return conn.authenticate("PLAIN", lambda _c: ("\0%s\0%s" % (user, password)).encode())
    if method == "cram-md5":
        return conn.login_cram_md5(user, password)
    raise ValueError("unknown method " + method)


def close_quietly(close) -> None:
    """Call `close` (a connection's close or shutdown), ignoring a connection already gone."""
    try:
        close()
    except Exception:
        pass
