#!/usr/bin/env python3
"""The Python reference for benchmarks: the tutorial's app-server (a selectors loop, one Message object per
connection reading the protoheader, the JSON header, then the content, answering and closing), written from
../shared/protocol/PROTOCOL.md with the standard library only. As the tutorial's, a connection whose request fails
is closed; unlike it, the server goes on serving the others (a load generator's cut-off connection must not end it).

usage: app_server.py HOST PORT
"""
import io
import json
import selectors
import socket
import struct
import sys

SEARCH = {
    "morpheus": "Follow the white rabbit. \U0001f430",
    "ring": "In the caves beneath the Misty Mountains. \U0001f48d",
    "\U0001f436": "\U0001f43e Playing ball! \U0001f3d0",
}


class Message:
    def __init__(self, sel, sock):
        self.sel, self.sock = sel, sock
        self._recv_buffer, self._send_buffer = b"", b""
        self._jsonheader_len = None
        self.jsonheader = None
        self.response_created = False

    def process_events(self, mask):
        if mask & selectors.EVENT_READ:
            self.read()
        if mask & selectors.EVENT_WRITE:
            self.write()

    def read(self):
        data = self.sock.recv(4096)
        if not data:
            raise RuntimeError("Peer closed.")
        self._recv_buffer += data
        if self._jsonheader_len is None and len(self._recv_buffer) >= 2:
            self._jsonheader_len = struct.unpack(">H", self._recv_buffer[:2])[0]
            self._recv_buffer = self._recv_buffer[2:]
        if self._jsonheader_len is not None and self.jsonheader is None and len(self._recv_buffer) >= self._jsonheader_len:
            header = self._recv_buffer[:self._jsonheader_len]
            self._recv_buffer = self._recv_buffer[self._jsonheader_len:]
            self.jsonheader = json.load(io.TextIOWrapper(io.BytesIO(header), encoding="utf-8", newline=""))
        if self.jsonheader is not None and len(self._recv_buffer) >= self.jsonheader["content-length"]:
            content = self._recv_buffer[:self.jsonheader["content-length"]]
            self._recv_buffer = self._recv_buffer[self.jsonheader["content-length"]:]
            self.create_response(content)
            self.sel.modify(self.sock, selectors.EVENT_WRITE, data=self)

    def create_response(self, content):
        if self.jsonheader["content-type"] == "text/json":
            request = json.loads(content.decode(self.jsonheader["content-encoding"]))
            action = request.get("action")
            if action == "search":
                query = request.get("value")
                answer = {"result": SEARCH.get(query) or f"No match for '{query}'."}
            else:
                answer = {"result": f"Error: invalid action '{action}'."}
            body, content_type, encoding = json.dumps(answer, ensure_ascii=False).encode("utf-8"), "text/json", "utf-8"
        else:
            body = b"First 10 bytes of request: " + content[:10]
            content_type, encoding = "binary/custom-server-binary-type", "binary"
        header = json.dumps({"byteorder": sys.byteorder, "content-type": content_type,
                             "content-encoding": encoding, "content-length": len(body)}, ensure_ascii=False).encode("utf-8")
        self._send_buffer += struct.pack(">H", len(header)) + header + body
        self.response_created = True

    def write(self):
        if self._send_buffer:
            sent = self.sock.send(self._send_buffer)
            self._send_buffer = self._send_buffer[sent:]
            if sent and not self._send_buffer:
                self.close()

    def close(self):
        self.sel.unregister(self.sock)
        self.sock.close()


def main(host, port):
    sel = selectors.DefaultSelector()
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((host, port))
    lsock.listen(4096)
    lsock.setblocking(False)
    sel.register(lsock, selectors.EVENT_READ, data=None)
    print(f"Listening on {(host, lsock.getsockname()[1])}", flush=True)
    while True:
        for key, mask in sel.select(timeout=None):
            if key.data is None:
                try:
                    conn, _ = key.fileobj.accept()
                except OSError:
                    continue
                conn.setblocking(False)
                sel.register(conn, selectors.EVENT_READ, data=Message(sel, conn))
            else:
                try:
                    key.data.process_events(mask)
                except Exception:
                    if key.fileobj.fileno() != -1:
                        key.data.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
