#!/usr/bin/env python3
"""A scriptable TR-069 (CWMP) test ACS, Python 3 standard library only.

It is written independently of the agent's C++ codec so that certkeeperd is not tested only
against itself. See tests/acs/README.md for the options, the script format and the control API.

usage: acs.py --port N [--record DIR] [--files DIR] [--auth none|basic|digest]
              [--username U --password P] [--script JSON|@FILE] [--cwmp-path /acs]
"""
import argparse
import base64
import hashlib
import json
import os
import secrets
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SOAPENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAPENC = "http://schemas.xmlsoap.org/soap/encoding/"
XSD = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CWMP_PREFIX = "urn:dslforum-org:cwmp-"


def esc(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def local(tag):
    return tag.rsplit("}", 1)[-1]


def child_text(elem, name, default=""):
    for c in elem:
        if local(c.tag) == name:
            return c.text or ""
    return default


def find_child(elem, name):
    for c in elem:
        if local(c.tag) == name:
            return c
    return None


# ---- building the ACS's requests (one body element each) ----

def rpc_body(step, files_url):
    """The body element of one scripted RPC (str), from a script step (dict)."""
    m = step["method"]
    if m == "GetRPCMethods":
        return "<cwmp:GetRPCMethods/>"
    if m == "GetParameterValues":
        names = "".join(f"<string>{esc(n)}</string>" for n in step["names"])
        return (f'<cwmp:GetParameterValues><ParameterNames soapenc:arrayType="xsd:string[{len(step["names"])}]">'
                f"{names}</ParameterNames></cwmp:GetParameterValues>")
    if m == "GetParameterNames":
        nl = "true" if step.get("next_level", False) else "false"
        return (f"<cwmp:GetParameterNames><ParameterPath>{esc(step.get('path', ''))}</ParameterPath>"
                f"<NextLevel>{nl}</NextLevel></cwmp:GetParameterNames>")
    if m == "SetParameterValues":
        params = step["params"]
        items = ""
        for p in params:
            name, value = p[0], p[1]
            typ = p[2] if len(p) > 2 else "xsd:string"
            items += (f"<ParameterValueStruct><Name>{esc(name)}</Name>"
                      f'<Value xsi:type="{esc(typ)}">{esc(value)}</Value></ParameterValueStruct>')
        return (f'<cwmp:SetParameterValues><ParameterList soapenc:arrayType="cwmp:ParameterValueStruct[{len(params)}]">'
                f"{items}</ParameterList><ParameterKey>{esc(step.get('key', ''))}</ParameterKey>"
                "</cwmp:SetParameterValues>")
    if m == "GetParameterAttributes":
        names = "".join(f"<string>{esc(n)}</string>" for n in step["names"])
        return (f'<cwmp:GetParameterAttributes><ParameterNames soapenc:arrayType="xsd:string[{len(step["names"])}]">'
                f"{names}</ParameterNames></cwmp:GetParameterAttributes>")
    if m == "SetParameterAttributes":
        items = ""
        for name, notification in step["params"]:
            items += (f"<SetParameterAttributesStruct><Name>{esc(name)}</Name>"
                      f"<NotificationChange>true</NotificationChange><Notification>{int(notification)}</Notification>"
                      "<AccessListChange>false</AccessListChange>"
                      '<AccessList soapenc:arrayType="xsd:string[0]"></AccessList></SetParameterAttributesStruct>')
        return (f'<cwmp:SetParameterAttributes><ParameterList soapenc:arrayType="cwmp:SetParameterAttributesStruct[{len(step["params"])}]">'
                f"{items}</ParameterList></cwmp:SetParameterAttributes>")
    if m == "AddObject":
        return (f"<cwmp:AddObject><ObjectName>{esc(step['object'])}</ObjectName>"
                f"<ParameterKey>{esc(step.get('key', ''))}</ParameterKey></cwmp:AddObject>")
    if m == "DeleteObject":
        return (f"<cwmp:DeleteObject><ObjectName>{esc(step['object'])}</ObjectName>"
                f"<ParameterKey>{esc(step.get('key', ''))}</ParameterKey></cwmp:DeleteObject>")
    if m == "Download":
        url = step.get("url") or f"{files_url}/{step['file']}"
        return ("<cwmp:Download>"
                f"<CommandKey>{esc(step.get('command_key', 'download'))}</CommandKey>"
                f"<FileType>{esc(step.get('file_type', '3 Vendor Configuration File'))}</FileType>"
                f"<URL>{esc(url)}</URL>"
                f"<Username>{esc(step.get('username', ''))}</Username>"
                f"<Password>{esc(step.get('password', ''))}</Password>"
                f"<FileSize>{int(step.get('file_size', 0))}</FileSize>"
                f"<TargetFileName>{esc(step.get('target', ''))}</TargetFileName>"
                f"<DelaySeconds>{int(step.get('delay', 0))}</DelaySeconds>"
                "<SuccessURL></SuccessURL><FailureURL></FailureURL></cwmp:Download>")
    if m == "Reboot":
        return f"<cwmp:Reboot><CommandKey>{esc(step.get('command_key', 'reboot'))}</CommandKey></cwmp:Reboot>"
    if m == "FactoryReset":
        return "<cwmp:FactoryReset/>"
    if m == "ScheduleInform":
        return (f"<cwmp:ScheduleInform><DelaySeconds>{int(step.get('delay', 1))}</DelaySeconds>"
                f"<CommandKey>{esc(step.get('command_key', ''))}</CommandKey></cwmp:ScheduleInform>")
    if m == "Raw":  # any body element, e.g. an RPC the CPE does not know
        return step["body"]
    raise ValueError(f"unknown script method {m}")


def envelope(ns, body, cwmp_id=None, hold_requests=None):
    header = ""
    if cwmp_id is not None:
        header += f'<cwmp:ID soap:mustUnderstand="1">{esc(cwmp_id)}</cwmp:ID>'
    if hold_requests is not None:
        header += f'<cwmp:HoldRequests soap:mustUnderstand="1">{"true" if hold_requests else "false"}</cwmp:HoldRequests>'
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<soap:Envelope xmlns:soap="{SOAPENV}" xmlns:soapenc="{SOAPENC}" xmlns:xsd="{XSD}" '
            f'xmlns:xsi="{XSI}" xmlns:cwmp="{ns}"><soap:Header>{header}</soap:Header>'
            f"<soap:Body>{body}</soap:Body></soap:Envelope>")


# ---- reading what the CPE sent ----

def summarize(root):
    """A JSON-able summary of one CPE envelope: method, cwmp:ID, events, parameters, faults."""
    out = {}
    header = find_child(root, "Header")
    body = find_child(root, "Body")
    if header is not None:
        for h in header:
            if local(h.tag) == "ID":
                out["id"] = h.text or ""
    if body is None or len(body) == 0:
        out["method"] = ""
        return out
    rpc = body[0]
    out["method"] = local(rpc.tag)
    out["namespace"] = rpc.tag[1:].split("}")[0] if rpc.tag.startswith("{") else ""
    if out["method"] == "Inform":
        dev = find_child(rpc, "DeviceId")
        out["device"] = {local(c.tag): c.text or "" for c in dev} if dev is not None else {}
        ev = find_child(rpc, "Event")
        out["events"] = [[child_text(e, "EventCode"), child_text(e, "CommandKey")] for e in (ev if ev is not None else [])]
        out["retry_count"] = child_text(rpc, "RetryCount")
    for name in ("ParameterList",):
        pl = find_child(rpc, name)
        if pl is not None:
            params = {}
            for p in pl:
                n = child_text(p, "Name")
                if find_child(p, "Value") is not None:
                    params[n] = child_text(p, "Value")
                elif find_child(p, "Writable") is not None:
                    params[n] = child_text(p, "Writable")
                elif find_child(p, "Notification") is not None:
                    params[n] = child_text(p, "Notification")
            out["params"] = params
    if out["method"] == "TransferComplete":
        fs = find_child(rpc, "FaultStruct")
        out["command_key"] = child_text(rpc, "CommandKey")
        out["fault_code"] = int(child_text(fs, "FaultCode", "0") or 0) if fs is not None else 0
        out["fault_string"] = child_text(fs, "FaultString") if fs is not None else ""
    if out["method"] == "Fault":
        detail = find_child(rpc, "detail")
        f = find_child(detail, "Fault") if detail is not None else None
        out["fault_code"] = int(child_text(f, "FaultCode", "0") or 0) if f is not None else 0
        out["fault_string"] = child_text(f, "FaultString") if f is not None else ""
        out["parameter_faults"] = [[child_text(s, "ParameterName"), int(child_text(s, "FaultCode", "0") or 0)]
                                   for s in (f if f is not None else []) if local(s.tag) == "SetParameterValuesFault"]
    for simple in ("Status", "InstanceNumber"):
        if find_child(rpc, simple) is not None:
            out[simple.lower()] = child_text(rpc, simple)
    return out


# ---- HTTP authentication (server side) ----

class Auth:
    def __init__(self, mode, username, password, realm="certkeeper-acs"):
        self.mode, self.username, self.password, self.realm = mode, username, password, realm
        self.nonces = set()
        self.lock = threading.Lock()

    def challenge(self):
        if self.mode == "basic":
            return f'Basic realm="{self.realm}"'
        nonce = secrets.token_hex(16)
        with self.lock:
            self.nonces.add(nonce)
        return f'Digest realm="{self.realm}", qop="auth", nonce="{nonce}", algorithm=MD5'

    def check(self, method, header):
        if self.mode == "none":
            return True
        if not header:
            return False
        scheme, _, rest = header.partition(" ")
        if self.mode == "basic" and scheme.lower() == "basic":
            try:
                user, _, pw = base64.b64decode(rest.strip()).decode().partition(":")
            except Exception:
                return False
            return user == self.username and pw == self.password
        if self.mode == "digest" and scheme.lower() == "digest":
            f = parse_auth_params(rest)
            with self.lock:
                if f.get("nonce") not in self.nonces:
                    return False
            h = lambda s: hashlib.md5(s.encode()).hexdigest()
            ha1 = h(f"{self.username}:{self.realm}:{self.password}")
            ha2 = h(f"{method}:{f.get('uri', '')}")
            if f.get("qop") == "auth":
                want = h(f"{ha1}:{f['nonce']}:{f.get('nc', '')}:{f.get('cnonce', '')}:auth:{ha2}")
            else:
                want = h(f"{ha1}:{f['nonce']}:{ha2}")
            return f.get("username") == self.username and f.get("response") == want
        return False


def parse_auth_params(text):
    """key=value, key="quoted value", ... of an Authorization or WWW-Authenticate header."""
    out, i, n = {}, 0, len(text)
    while i < n:
        while i < n and text[i] in " ,":
            i += 1
        eq = text.find("=", i)
        if eq < 0:
            break
        key = text[i:eq].strip().lower()
        i = eq + 1
        if i < n and text[i] == '"':
            j, val = i + 1, ""
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                val += text[j]
                j += 1
            i = j + 1
        else:
            j = text.find(",", i)
            j = n if j < 0 else j
            val = text[i:j].strip()
            i = j
        out[key] = val
    return out


def digest_get(url, username, password, replay_from=None, wrong_password=False, timeout=10):
    """A connection request (TR-069 §3.2.2): HTTP GET with Digest auth. Returns
    {"status": N, "authorization": header sent, "retry_after": ...}. replay_from: send this
    earlier Authorization header again instead of answering a fresh challenge."""
    if replay_from:
        req = urllib.request.Request(url, headers={"Authorization": replay_from})
        return _do(req, timeout, replay_from)
    first = _do(urllib.request.Request(url), timeout, None)
    if first["status"] != 401:
        return first
    ch = first.get("www_authenticate", "")
    scheme, _, rest = ch.partition(" ")
    f = parse_auth_params(rest)
    algorithm = f.get("algorithm", "MD5")
    hfun = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}.get(algorithm.upper().replace("SHA256", "SHA-256"), hashlib.md5)
    h = lambda s: hfun(s.encode()).hexdigest()
    uri = "/" + url.split("://", 1)[1].split("/", 1)[1] if "/" in url.split("://", 1)[1] else "/"
    pw = password + "x" if wrong_password else password
    cnonce, nc = secrets.token_hex(8), "00000001"
    ha1 = h(f"{username}:{f.get('realm', '')}:{pw}")
    ha2 = h(f"GET:{uri}")
    resp = h(f"{ha1}:{f.get('nonce', '')}:{nc}:{cnonce}:auth:{ha2}")
    auth = (f'Digest username="{username}", realm="{f.get("realm", "")}", nonce="{f.get("nonce", "")}", '
            f'uri="{uri}", algorithm={algorithm}, qop=auth, nc={nc}, cnonce="{cnonce}", response="{resp}"')
    if "opaque" in f:
        auth += f', opaque="{f["opaque"]}"'
    return _do(urllib.request.Request(url, headers={"Authorization": auth}), timeout, auth)


def _do(req, timeout, auth):
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return {"status": r.status, "authorization": auth}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "authorization": auth,
                "www_authenticate": e.headers.get("WWW-Authenticate", ""),
                "retry_after": e.headers.get("Retry-After")}
    except (urllib.error.URLError, OSError) as e:
        return {"status": 0, "error": str(e), "authorization": auth}


# ---- the ACS ----

class Acs:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Condition()
        self.script = []          # steps still to run, shared by all sessions in order
        self.misbehave = []       # {"mode": ..., "on": "inform"|"any"|"empty", "seconds": N}
        self.log = []             # summaries of every CPE envelope, in order
        self.sessions = {}        # cookie -> {"pending": (id, step) or None, "ns": ...}
        self.session_count = 0
        self.seq = 0
        self.errors = []
        self.auth = Auth(args.auth, args.username, args.password)
        if args.script:
            text = open(args.script[1:]).read() if args.script.startswith("@") else args.script
            self.script.extend(json.loads(text))

    def record(self, data, summary):
        with self.lock:
            self.seq += 1
            seq = self.seq
            summary["seq"] = seq
            self.log.append(summary)
            self.lock.notify_all()
        if self.args.record and data.strip():
            name = f"{seq:04d}-{summary.get('method') or 'empty'}.xml"
            with open(os.path.join(self.args.record, name), "wb") as f:
                f.write(data)

    def take_misbehaviour(self, kind):
        with self.lock:
            for i, m in enumerate(self.misbehave):
                on = m.get("on", "any")
                if on == "any" or on == kind:
                    return self.misbehave.pop(i)
        return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    acs = None  # set by main()

    def setup(self):
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm holds the body
        # back until the client's delayed ACK (about 40 ms per exchange).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *a):
        if self.acs.args.verbose:
            sys.stderr.write("acs: " + fmt % a + "\n")

    def reply(self, status, body=b"", ctype="text/xml; charset=utf-8", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        if body:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    # -- routes --

    def do_GET(self):
        if self.path.startswith("/files/"):
            return self.serve_file()
        if self.path.startswith("/control/log"):
            with self.acs.lock:
                data = json.dumps({"log": self.acs.log, "sessions": self.acs.session_count,
                                   "script_left": len(self.acs.script), "errors": self.acs.errors})
            return self.reply(200, data, "application/json")
        return self.reply(404, "not found", "text/plain")

    def do_POST(self):
        if self.path.startswith("/control/"):
            return self.control()
        if self.path.split("?")[0] != self.acs.args.cwmp_path:
            return self.reply(404, "not found", "text/plain")
        return self.cwmp()

    def serve_file(self):
        name = os.path.basename(self.path[len("/files/"):].split("?")[0])
        path = os.path.join(self.acs.args.files or ".", name)
        if not self.acs.args.files or not os.path.isfile(path):
            return self.reply(404, "no such file", "text/plain")
        with open(path, "rb") as f:
            return self.reply(200, f.read(), "application/octet-stream")

    def control(self):
        body = self.read_body()
        try:
            arg = json.loads(body or b"{}")
        except ValueError:
            return self.reply(400, "bad JSON", "text/plain")
        what = self.path[len("/control/"):]
        acs = self.acs
        if what == "script":
            with acs.lock:
                acs.script.extend(arg if isinstance(arg, list) else [arg])
            return self.reply(200, "{}", "application/json")
        if what == "misbehave":
            with acs.lock:
                acs.misbehave.append(arg)
            return self.reply(200, "{}", "application/json")
        if what == "connection-request":
            r = digest_get(arg["url"], arg.get("username", ""), arg.get("password", ""),
                           replay_from=arg.get("replay"), wrong_password=arg.get("wrong_password", False))
            return self.reply(200, json.dumps(r), "application/json")
        if what == "wait":  # {"method": M, "after": SEQ, "timeout": S, "event": E}
            deadline = time.time() + float(arg.get("timeout", 30))
            with acs.lock:
                while True:
                    for s in acs.log:
                        if s["seq"] <= int(arg.get("after", 0)):
                            continue
                        if arg.get("method") and s.get("method") != arg["method"]:
                            continue
                        if arg.get("event") and arg["event"] not in [e[0] for e in s.get("events", [])]:
                            continue
                        return self.reply(200, json.dumps(s), "application/json")
                    left = deadline - time.time()
                    if left <= 0:
                        return self.reply(408, json.dumps({"timeout": True}), "application/json")
                    acs.lock.wait(left)
        return self.reply(404, "unknown control", "text/plain")

    def cwmp(self):
        acs = self.acs
        data = self.read_body()
        if not acs.auth.check("POST", self.headers.get("Authorization")):
            return self.reply(401, "", headers=[("WWW-Authenticate", acs.auth.challenge())])
        cookie = ""
        for part in (self.headers.get("Cookie") or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == "acs_session":
                cookie = v
        summary = {"method": ""}
        root = None
        if data.strip():
            try:
                root = ET.fromstring(data)
                summary = summarize(root)
            except ET.ParseError as e:
                summary = {"method": "?", "error": f"not XML: {e}"}
        summary["cookie"] = cookie
        acs.record(data, summary)
        method = summary.get("method", "")
        kind = "inform" if method == "Inform" else "empty" if method == "" else "response"
        mis = acs.take_misbehaviour(kind)
        if mis and self.misbehave(mis, summary):
            return

        set_cookie = []
        if method == "Inform":
            cookie = secrets.token_hex(8)
            ns = summary.get("namespace") or CWMP_PREFIX + "1-0"
            with acs.lock:
                acs.session_count += 1
                acs.sessions[cookie] = {"pending": None, "ns": ns}
            set_cookie = [("Set-Cookie", f"acs_session={cookie}; Path=/")]
            return self.reply(200, envelope(ns, "<cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse>",
                                            summary.get("id", "1")), headers=set_cookie)
        with acs.lock:
            sess = acs.sessions.get(cookie)
        if sess is None:
            acs.errors.append(f"seq {summary['seq']}: {method or 'empty POST'} without a session cookie")
            return self.reply(400, "no session", "text/plain")
        ns = sess["ns"]
        if method == "TransferComplete":
            return self.reply(200, envelope(ns, "<cwmp:TransferCompleteResponse/>", summary.get("id", "1")))
        if method not in ("", "?"):
            pending = sess["pending"]
            if pending is None:
                acs.errors.append(f"seq {summary['seq']}: {method} answers no request")
            elif summary.get("id") != pending[0]:
                acs.errors.append(f"seq {summary['seq']}: cwmp:ID {summary.get('id')} answers {pending[0]}")
            sess["pending"] = None
        with acs.lock:
            step = acs.script.pop(0) if acs.script else None
        if step is None:
            with acs.lock:
                acs.sessions.pop(cookie, None)
            return self.reply(204)  # no more requests: the session ends
        if "misbehave" in step:
            if step["misbehave"] == "unknown_rpc":
                sess["pending"] = ("acs-unknown", step)  # the CPE's fault answers it
            if self.misbehave({"mode": step["misbehave"], **step}, summary):
                return
            with acs.lock:
                step = acs.script.pop(0) if acs.script else None
            if step is None:
                return self.reply(204)
        cwmp_id = f"acs-{secrets.token_hex(4)}"
        sess["pending"] = (cwmp_id, step)
        body = rpc_body(step, f"http://127.0.0.1:{acs.args.port}/files")
        return self.reply(200, envelope(ns, body, cwmp_id, step.get("hold_requests")))

    def misbehave(self, m, summary):
        """Acts on one misbehaviour; True if the request was answered (or dropped) by it."""
        mode = m["mode"]
        if mode == "stall":
            time.sleep(float(m.get("seconds", 60)))
            self.close_connection = True
            return True
        if mode == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return True
        if mode == "malformed":
            self.reply(200, "<soap:Envelope><soap:Body><cwmp:GetParameterValues>")
            return True
        if mode == "http500":
            self.reply(500, "internal error", "text/plain")
            return True
        if mode == "unknown_rpc":
            ns = CWMP_PREFIX + "1-0"
            self.reply(200, envelope(ns, "<cwmp:X_Frobnicate><Level>11</Level></cwmp:X_Frobnicate>", "acs-unknown"))
            return True
        return False


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--cwmp-path", default="/acs")
    p.add_argument("--record", help="write every CPE envelope to this directory")
    p.add_argument("--files", help="serve this directory's files at /files/NAME")
    p.add_argument("--auth", choices=["none", "basic", "digest"], default="none")
    p.add_argument("--username", default="")
    p.add_argument("--password", default="")
    p.add_argument("--script", help="JSON list of steps, or @FILE")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--connection-request", metavar="URL",
                   help="instead of serving: send one connection request and print the result")
    p.add_argument("--replay", help="with --connection-request: this Authorization header")
    p.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM, chain after it)")
    p.add_argument("--tls-key", help="the key of --tls-cert (PEM)")
    p.add_argument("--tls-client-ca", help="require a client certificate issued by these CAs (PEM)")
    args = p.parse_args()
    if args.connection_request:
        r = digest_get(args.connection_request, args.username, args.password, replay_from=args.replay)
        print(json.dumps(r))
        return 0 if r["status"] in (200, 204) else 1
    if args.record:
        os.makedirs(args.record, exist_ok=True)
    Handler.acs = Acs(args)
    server = ThreadingHTTPServer((args.bind, args.port), Handler)
    server.daemon_threads = True
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(args.tls_client_ca)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
