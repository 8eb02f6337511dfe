#!/usr/bin/env python3
"""A Python peer written from PROTOCOL.md with the standard library only, as a reader of the
tutorial would write one: blocking and selectors sockets, struct for the protoheader, json with
ensure_ascii=False. The interop tests run it against SocketKit in both directions.

usage: peer.py echo-server|multiconn-server|app-server HOST PORT [CONNECTIONS]
       peer.py echo-client HOST PORT MESSAGE
       peer.py multiconn-client HOST PORT CONNECTIONS
       peer.py app-client HOST PORT ACTION VALUE
Servers bind the given port (0 for a free one), print "listening PORT", serve CONNECTIONS
connections (default 1), then exit. Every socket has a 10 s timeout.
"""
import json
import selectors
import socket
import struct
import sys

TIMEOUT = 10
SEARCH = {
    "morpheus": "Follow the white rabbit. \U0001f430",
    "ring": "In the caves beneath the Misty Mountains. \U0001f48d",
    "\U0001f436": "\U0001f43e Playing ball! \U0001f3d0",
}


def message(content_type, encoding, content):
    header = json.dumps({"byteorder": sys.byteorder, "content-type": content_type,
                         "content-encoding": encoding, "content-length": len(content)},
                        ensure_ascii=False).encode("utf-8")
    return struct.pack(">H", len(header)) + header + content


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError(f"peer closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def read_message(sock):
    (header_len,) = struct.unpack(">H", recv_exactly(sock, 2))
    header = json.loads(recv_exactly(sock, header_len).decode("utf-8"))
    content = recv_exactly(sock, header["content-length"])
    return header, content


def listen(host, port):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.bind((host, port))
    lsock.listen()
    lsock.settimeout(TIMEOUT)
    print("listening", lsock.getsockname()[1], flush=True)
    return lsock


def accepted(host, port, connections):
    """Yields the first `connections` connections to a new listener, one at a time, each closed once the caller is done with it."""
    with listen(host, port) as lsock:
        for _ in range(connections):
            conn, _ = lsock.accept()
            with conn:
                conn.settimeout(TIMEOUT)
                yield conn


def echo_server(host, port, connections):
    for conn in accepted(host, port, connections):
        while data := conn.recv(1024):
            conn.sendall(data)


def multiconn_server(host, port, connections):
    sel = selectors.DefaultSelector()
    lsock = listen(host, port)
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, data=None)
    served = 0
    outgoing = {}
    while served < connections:
        events = sel.select(timeout=TIMEOUT)
        if not events:
            raise TimeoutError("no activity")
        for key, mask in events:
            if key.data is None:
                conn, _ = lsock.accept()
                conn.setblocking(False)
                outgoing[conn] = b""
                sel.register(conn, selectors.EVENT_READ, data="conn")
                continue
            conn = key.fileobj
            if mask & selectors.EVENT_READ:
                data = conn.recv(1024)
                if not data:
                    sel.unregister(conn)
                    conn.close()
                    served += 1
                    continue
                outgoing[conn] += data
            if outgoing[conn]:
                sent = conn.send(outgoing[conn])
                outgoing[conn] = outgoing[conn][sent:]
            sel.modify(conn, selectors.EVENT_READ | (selectors.EVENT_WRITE if outgoing[conn] else 0), data="conn")
    lsock.close()


def app_server(host, port, connections):
    for conn in accepted(host, port, connections):
        header, content = read_message(conn)
        if header["content-type"] == "text/json":
            request = json.loads(content.decode(header["content-encoding"]))
            if request.get("action") == "search":
                value = request.get("value")
                answer = {"result": SEARCH.get(value) or f"No match for '{value}'."}
            else:
                answer = {"result": f"Error: invalid action '{request.get('action')}'."}
            reply = message("text/json", "utf-8", json.dumps(answer, ensure_ascii=False).encode("utf-8"))
        else:
            reply = message("binary/custom-server-binary-type", "binary", b"First 10 bytes of request: " + content[:10])
        conn.sendall(reply)


def connect(host, port):
    sock = socket.create_connection((host, port), timeout=TIMEOUT)
    sock.settimeout(TIMEOUT)
    return sock


def echo_client(host, port, text):
    data = text.encode("utf-8")
    with connect(host, port) as sock:
        sock.sendall(data)
        print(f"Received {recv_exactly(sock, len(data))!r}")


def multiconn_client(host, port, connections):
    socks = [connect(host, port) for _ in range(connections)]
    expected = b"Message 1 from client.Message 2 from client."
    for sock in socks:
        sock.sendall(b"Message 1 from client.")
        sock.sendall(b"Message 2 from client.")
    for i, sock in enumerate(socks, 1):
        with sock:
            got = recv_exactly(sock, len(expected))
            print(f"Connection {i} received {got!r}")


def app_client(host, port, action, value):
    if action == "search":
        content = json.dumps({"action": action, "value": value}, ensure_ascii=False).encode("utf-8")
        request = message("text/json", "utf-8", content)
    else:
        request = message("binary/custom-client-binary-type", "binary", (action + value).encode("utf-8"))
    with connect(host, port) as sock:
        sock.sendall(request)
        header, content = read_message(sock)
        if sock.recv(1):
            raise RuntimeError("bytes after the response")
    if header["content-type"] == "text/json":
        print("Got result:", json.loads(content.decode(header["content-encoding"]))["result"])
    else:
        print(f"Got response: {content!r}")


if __name__ == "__main__":
    mode, host, port, *rest = sys.argv[1:]
    port = int(port)
    if mode.endswith("server"):
        count = int(rest[0]) if rest else 1
        {"echo-server": echo_server, "multiconn-server": multiconn_server, "app-server": app_server}[mode](host, port, count)
    elif mode == "echo-client":
        echo_client(host, port, rest[0])
    elif mode == "multiconn-client":
        multiconn_client(host, port, int(rest[0]))
    else:
        app_client(host, port, rest[0], rest[1])
