"""A TLS peer on Python's ssl module, for mutual TLS against SocketKit.

  tls_peer.py server CERT KEY CLIENT_CA    echo once over TLS, requiring a client certificate from CLIENT_CA;
                                           prints "listening PORT", then "client SUBJECT" or "refused REASON"
  tls_peer.py client HOST PORT CA MESSAGE [CERT KEY]
                                           send MESSAGE over TLS (with a client certificate when given), print
                                           "echo MESSAGE" or "failed REASON"; exit 0 either way
"""
import socket
import ssl
import sys


def serve(cert, key, client_ca):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.load_verify_locations(client_ca)
    context.verify_mode = ssl.CERT_REQUIRED
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(20)
        print("listening", listener.getsockname()[1], flush=True)
        conn, _ = listener.accept()
        conn.settimeout(20)
        try:
            with context.wrap_socket(conn, server_side=True) as tls:
                subject = dict(pair[0] for pair in tls.getpeercert()["subject"])
                print("client CN=" + subject["commonName"], flush=True)
                data = tls.recv(4096)
                tls.sendall(data)
        except (ssl.SSLError, OSError) as error:
            print("refused", getattr(error, "reason", None) or error, flush=True)


def connect(host, port, ca, message, cert=None, key=None):
    context = ssl.create_default_context(cafile=ca)
    if cert:
        context.load_cert_chain(cert, key)
    try:
        with socket.create_connection((host, int(port)), timeout=20) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(message.encode())
                data = b""
                while len(data) < len(message.encode()):
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                print("echo " + data.decode() if data else "closed", flush=True)
    except (ssl.SSLError, OSError) as error:
        print("failed", getattr(error, "reason", None) or error, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(*sys.argv[2:5])
    else:
        connect(*sys.argv[2:])
