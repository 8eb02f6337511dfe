#!/usr/bin/env python3
"""The reference server's answer to each request, written from PROTOCOL.md ("How the reference forms an
answer, exactly") with the standard library only: the content decoded as the reference decodes it
(io.TextIOWrapper with the named codec, json.load), the answer formed with the reference's f-strings, the
response written with json.dumps(ensure_ascii=False). So every answer is Python's behaviour by construction.

With the argument "client", it is the reference client instead: for each response it writes the line that
app-client.py prints for it (json: f"Got result: {result}"; other content: f"Got response: {content!r}"),
as "P HEX" with HEX the line in UTF-16-LE (lone surrogates kept), or "R NAME" where the client raises.

Reads one request a line on stdin, a JSON object {"type": CONTENT_TYPE, "encoding": CONTENT_ENCODING,
"hex": CONTENT}, and writes one line for each on stdout:
  A HEX    the whole response message the reference sends
  R NAME   the reference raises (exception NAME) and closes without a word
  N        the reference never answers (an empty request: it tests the request for truth)
"""
import io
import json
import struct
import sys

REQUEST_SEARCH = {
    "morpheus": "Follow the white rabbit. \U0001f430",
    "ring": "In the caves beneath the Misty Mountains. \U0001f48d",
    "\U0001f436": "\U0001f43e Playing ball! \U0001f3d0",
}


def json_decode(json_bytes, encoding):
    tiow = io.TextIOWrapper(io.BytesIO(json_bytes), encoding=encoding, newline="")
    obj = json.load(tiow)
    tiow.close()
    return obj


def json_encode(obj, encoding):
    return json.dumps(obj, ensure_ascii=False).encode(encoding)


def message(content_type, content_encoding, content_bytes):
    jsonheader = {
        "byteorder": sys.byteorder,
        "content-type": content_type,
        "content-encoding": content_encoding,
        "content-length": len(content_bytes),
    }
    jsonheader_bytes = json_encode(jsonheader, "utf-8")
    return struct.pack(">H", len(jsonheader_bytes)) + jsonheader_bytes + content_bytes


def answer(content_type, encoding, data):
    if content_type == "text/json":
        request = json_decode(data, encoding)
        if not request:
            return None
        action = request.get("action")
        if action == "search":
            query = request.get("value")
            result = REQUEST_SEARCH.get(query) or f"No match for '{query}'."
            content = {"result": result}
        else:
            content = {"result": f"Error: invalid action '{action}'."}
        return message("text/json", "utf-8", json_encode(content, "utf-8"))
    if not data:
        return None
    return message("binary/custom-server-binary-type", "binary", b"First 10 bytes of request: " + data[:10])


def client_line(content_type, encoding, data):
    if content_type == "text/json":
        response = json_decode(data, encoding)
        result = response.get("result")
        return f"Got result: {result}"
    return f"Got response: {data!r}"


def client():
    out = sys.stdout
    for line in sys.stdin:
        response = json.loads(line)
        try:
            printed = client_line(response["type"], response["encoding"], bytes.fromhex(response["hex"]))
        except Exception as e:
            out.write(f"R {type(e).__name__}\n")
            continue
        out.write(f"P {printed.encode('utf-16-le', 'surrogatepass').hex()}\n")
    out.flush()


def main():
    if sys.argv[1:] == ["client"]:
        client()
        return
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        try:
            response = answer(request["type"], request["encoding"], bytes.fromhex(request["hex"]))
        except Exception as e:  # The reference's server loop catches nothing: any exception closes the connection.
            out.write(f"R {type(e).__name__}\n")
            continue
        out.write("N\n" if response is None else f"A {response.hex()}\n")
    out.flush()


if __name__ == "__main__":
    main()
