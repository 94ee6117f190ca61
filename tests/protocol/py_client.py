#!/usr/bin/python3
"""An epsync client written from docs/PROTOCOL.md alone: Python 3, Debian's python3-msgpack and the
standard ssl module. It syncs one centre with a running hub: hello, heartbeat, a push of a new
trainee and a test result, pulls until nothing more is due, bye; then it checks what the hub
refuses (batch 0, a repeated batch, compressed frames before compression was agreed).

It prints one JSON object (what it did and saw) and exits 0 when every check held, 1 otherwise.
Every socket operation has a timeout; it talks only to the address it is given.
"""
import argparse
import json
import os
import random
import socket
import ssl
import struct
import sys
import time

import msgpack

PROTO = 1      # PROTOCOL.md §1: the protocol version
SCHEMA = 3     # PROTOCOL.md §4: the store schema this client's rows follow
TIMEOUT_S = 10
MAX_FRAME = 4 * 1024 * 1024


class ProtocolError(Exception):
    pass


# ---- framing (PROTOCOL.md §2) ----

def frame(message, flags=0, body=None):
    payload = body if body is not None else msgpack.packb(message, use_bin_type=True)
    return struct.pack(">IB", len(payload) + 1, flags) + payload


def zstd_raw(data):
    """A valid zstd frame holding `data` as one raw block (stored, not compressed)."""
    header = b"\x28\xb5\x2f\xfd" + b"\xa0" + struct.pack("<I", len(data))
    block = (len(data) << 3) | 1  # raw block, the last one
    return header + struct.pack("<I", block)[:3] + data


class Connection:
    def __init__(self, address, ca, cert, key):
        host, port = address.rsplit(":", 1)
        if host not in ("127.0.0.1", "localhost"):
            raise SystemExit("this test client talks to 127.0.0.1 only")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
        ctx.maximum_version = ssl.TLSVersion.TLSv1_3
        ctx.load_verify_locations(ca)
        ctx.load_cert_chain(cert, key)
        raw = socket.create_connection((host, int(port)), timeout=TIMEOUT_S)
        raw.settimeout(TIMEOUT_S)
        self.sock = ctx.wrap_socket(raw, server_hostname=host)
        self.buf = b""

    def send(self, message, flags=0, body=None):
        self.sock.sendall(frame(message, flags, body))

    def _read_exactly(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ProtocolError("the hub closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def receive(self):
        (length,) = struct.unpack(">I", self._read_exactly(4))
        if length < 1 or length > MAX_FRAME:
            raise ProtocolError("frame length %d out of range" % length)
        body = self._read_exactly(length)
        if body[0] != 0:
            raise ProtocolError("a compressed frame, though this client offered no compression")
        message = msgpack.unpackb(body[1:], raw=False)
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise ProtocolError("a message that is not a map with a type")
        return message

    def receive_answer(self):
        """The next message that is not a ping (answered) or a pong."""
        while True:
            m = self.receive()
            if m["type"] == "ping":
                self.send({"type": "pong"})
            elif m["type"] != "pong":
                return m

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---- rows (PROTOCOL.md §7) ----

def iin_for(birth, sex, serial):
    """A valid IIN: YYMMDD, the century-and-sex digit, a 4-digit serial and the check digit."""
    year, month, day = (int(p) for p in birth.split("-"))
    century = (year - 1800) // 100 * 2 + (2 if sex == "F" else 1)
    for s in range(serial, serial + 10000):
        first11 = "%02d%02d%02d%d%04d" % (year % 100, month, day, century, s % 10000)
        digits = [int(c) for c in first11]
        check = sum(d * w for d, w in zip(digits, range(1, 12))) % 11
        if check == 10:
            check = sum(d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])) % 11
        if check != 10:
            return first11 + str(check)
    raise ValueError("no IIN")


def row_id():
    return "%032x" % random.getrandbits(128)


class Writer:
    """This client's own changes: its site id, its sequence and its hybrid clock."""

    def __init__(self, center, site, operator):
        self.center, self.site, self.operator = center, site, operator
        self.seq = 0
        self.last_hlc = 0

    def hlc(self):
        now = int(time.time() * 1000) << 16
        self.last_hlc = max(now, self.last_hlc + 1)
        return self.last_hlc

    def change(self, table, rid, cells, new_row):
        self.seq += 1
        if new_row:  # a row's first write carries its owner
            cells = dict(cells, center_id=self.center, deleted=0)
        wire_cells = [[column, value, 0, ""] for column, value in cells.items()]
        return [table, rid, self.center, self.hlc(), self.site, self.seq, self.operator, wire_cells]


# ---- one session ----

def hello(center, site, compression=()):
    return {"type": "hello", "proto_min": PROTO, "proto_max": PROTO, "schema_min": SCHEMA,
            "schema_max": SCHEMA, "center": center, "site": site,
            "agent_version": "py-client/1", "compression": list(compression)}


def expect(message, kind):
    if message["type"] == "error":
        raise ProtocolError("hub error %s: %s" % (message.get("code"), message.get("message")))
    if message["type"] != kind:
        raise ProtocolError("expected %s, got %s" % (kind, message["type"]))
    return message


def sync_session(conn, args, writer, report):
    conn.send(hello(args.center, writer.site))
    w = expect(conn.receive_answer(), "welcome")
    report["welcome"] = {k: w[k] for k in ("proto", "schema", "hwm", "compression", "max_batch_bytes")}
    if w["proto"] != PROTO or w["schema"] != SCHEMA or w["compression"] != "" or w["hwm"] != 0:
        raise ProtocolError("unexpected welcome %r" % report["welcome"])
    conn.send({"type": "heartbeat", "agent_version": "py-client/1", "pending": 2, "last_site_seq": 2,
               "oldest_pending_age_s": 0, "clock_offset_ms": int(time.time() * 1000) - w["hub_time_ms"],
               "free_disk_bytes": 1 << 30, "cert_expires_at": 0, "last_error": ""})

    trainee = row_id()
    iin = iin_for("1999-04-12", "F", 4242)
    t = writer.change("trainee", trainee, {
        "iin": iin, "surname": "Әбенова", "given_name": "Айгерім", "patronymic": None,
        "birth_date": "1999-04-12", "sex": "F", "status": "active", "sector": "service"}, True)
    r = writer.change("test_result", row_id(), {
        "trainee_id": trainee, "kind": "eps-topik", "test_date": time.strftime("%Y-%m-%d", time.gmtime()),
        "score": 150, "source": "center"}, True)
    conn.send({"type": "push", "batch": 1, "changes": [t]})
    conn.send({"type": "push", "batch": 2, "changes": [r]})
    acks = [expect(conn.receive_answer(), "ack") for _ in range(2)]
    report["acks"] = [[a["batch"], a["hwm"], a["quarantined"]] for a in acks]
    if [a["batch"] for a in acks] != [1, 2] or acks[-1]["hwm"] != 2 or any(a["quarantined"] for a in acks):
        raise ProtocolError("unexpected acks %r" % report["acks"])
    report["trainee"] = trainee

    cursor, check, pulled = 0, "", []
    while True:
        conn.send({"type": "pull", "cursor": cursor, "cursor_check": check, "max_bytes": 1 << 20})
        c = expect(conn.receive_answer(), "changes")
        pulled += c["changes"]
        cursor, check = c["next_cursor"], c["next_check"]
        if c["cursor_reset"]:
            raise ProtocolError("a first pull must not be reset")
        if not c["more"]:
            break
    report["pulled"] = [[ch[0], ch[1], ch[2]] for ch in pulled]
    if any(ch[4] == writer.site for ch in pulled):
        raise ProtocolError("the hub sent this client's own changes back")
    if any(ch[2] not in (args.center, "*") for ch in pulled):
        raise ProtocolError("the hub sent another centre's rows")
    if ["center", args.center, "*"] not in report["pulled"]:
        raise ProtocolError("no reference row for this centre, keyed by its id")
    if args.expect_trainee:
        check_pulled_trainee(pulled, args.expect_trainee, args.center)
    # Pulling again from the saved cursor: nothing new, and the cursor holds.
    conn.send({"type": "pull", "cursor": cursor, "cursor_check": check, "max_bytes": 1})
    again = expect(conn.receive_answer(), "changes")
    report["cursor"] = [cursor, check]
    if again["changes"] or again["more"] or again["cursor_reset"]:
        raise ProtocolError("a second pull from the saved cursor was not empty")
    conn.send({"type": "bye"})


def check_pulled_trainee(pulled, rid, center):
    """A trainee another site of this centre wrote arrives with the value formats of §7.2."""
    first = [ch for ch in pulled if ch[0] == "trainee" and ch[1] == rid]
    if not first:
        raise ProtocolError("the trainee %s was not pulled" % rid)
    table, _, owner, hlc, site, site_seq, operator, cells = first[0]
    values = {cell[0]: cell[1] for cell in cells}
    problems = []
    if owner != center or values.get("center_id") != center:
        problems.append("owner")
    if not (isinstance(hlc, int) and hlc > 0 and isinstance(site_seq, int) and site_seq > 0):
        problems.append("hlc or site_seq")
    if not (isinstance(site, str) and len(site) == 32 and isinstance(operator, str)):
        problems.append("site or operator")
    if not (isinstance(values.get("iin"), str) and len(values["iin"]) == 12 and values["iin"].isdigit()):
        problems.append("iin")
    birth = values.get("birth_date")
    if not (isinstance(birth, str) and len(birth) == 10 and birth[4] == "-" and birth[7] == "-"):
        problems.append("birth_date")
    if values.get("sex") not in ("F", "M"):
        problems.append("sex")
    if "deleted" in values and (type(values["deleted"]) is not int or values["deleted"] not in (0, 1)):
        problems.append("deleted")
    if any(not (isinstance(c[2], int) and isinstance(c[3], str)) for c in cells):
        problems.append("prev_hlc/prev_site")
    if problems:
        raise ProtocolError("pulled trainee does not match PROTOCOL.md in: " + ", ".join(problems))


def refused(args, what, misbehave, compression=()):
    """Opens a session, misbehaves, and returns the error code the hub answered with."""
    conn = Connection(args.address, args.ca, args.cert, args.key)
    try:
        site = "%032x" % random.getrandbits(128)
        if misbehave == "compressed hello":
            body = msgpack.packb(hello(args.center, site, ["zstd"]), use_bin_type=True)
            conn.send(None, flags=1, body=zstd_raw(body))
        else:
            conn.send(hello(args.center, site, compression))
            expect(conn.receive_answer(), "welcome")
            if misbehave == "batch 0":
                conn.send({"type": "push", "batch": 0, "changes": []})
            elif misbehave == "repeated batch":
                conn.send({"type": "push", "batch": 1, "changes": []})
                conn.send({"type": "push", "batch": 1, "changes": []})
            elif misbehave == "compressed, none agreed":
                body = msgpack.packb({"type": "ping"}, use_bin_type=True)
                conn.send(None, flags=1, body=zstd_raw(body))
        while True:
            m = conn.receive_answer()
            if m["type"] == "error":
                return m["code"]
            if m["type"] != "ack":
                return "unexpected " + m["type"]
    except (ProtocolError, OSError) as e:
        return "no error message: %s" % e
    finally:
        conn.close()


def main():
    p = argparse.ArgumentParser()
    for name in ("address", "ca", "cert", "key", "center"):
        p.add_argument("--" + name, required=True)
    p.add_argument("--expect-trainee", default="", help="a trainee id the pull must bring")
    args = p.parse_args()
    report = {"ok": False}
    site = "%032x" % random.getrandbits(128)
    writer = Writer(args.center, site, "py-client")
    report["site"] = site
    conn = Connection(args.address, args.ca, args.cert, args.key)
    try:
        sync_session(conn, args, writer, report)
        report["refusals"] = {what: refused(args, what, what)
                              for what in ("batch 0", "repeated batch", "compressed hello",
                                           "compressed, none agreed")}
        report["ok"] = all(code == "bad-message" for code in report["refusals"].values())
    except (ProtocolError, OSError, ValueError, KeyError) as e:
        report["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        conn.close()
    print(json.dumps(report, ensure_ascii=False))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
