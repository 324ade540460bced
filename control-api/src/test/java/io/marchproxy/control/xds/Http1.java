package io.marchproxy.control.xds;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 request on a fresh connection ({@code Connection: close}), so every probe sees Envoy's current
 * listeners and routes rather than a pooled connection's. Plain or TLS with hostname verification.
 */
final class Http1 {
    /** Status and body; status -1 when the connection failed. */
    record Reply(int status, String body) {
        boolean ok(String expectedBody) {
            return status == 200 && body.equals(expectedBody);
        }
    }

    private Http1() {
    }

    static Reply get(int port, String authorization) {
        return get(null, port, authorization);
    }

    /** A plain request naming {@code host} (a service name or address) in its Host header. */
    static Reply getHost(int port, String host) {
        return request(null, port, host, null);
    }

    /** @param tls a context trusting the server's CA, or null for plain HTTP */
    static Reply get(SSLContext tls, int port, String authorization) {
        return request(tls, port, "127.0.0.1:" + port, authorization);
    }

    private static Reply request(SSLContext tls, int port, String host, String authorization) {
        try (Socket s = connect(tls, port)) {
            s.setSoTimeout(3000);
            String req = "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n";
            OutputStream out = s.getOutputStream();
            out.write(req.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int sp = all.indexOf(' ');
            int split = all.indexOf("\r\n\r\n");
            if (sp < 0 || split < 0) {
                return new Reply(-1, all);
            }
            int status = Integer.parseInt(all.substring(sp + 1, sp + 4));
            return new Reply(status, all.substring(split + 4));
        } catch (IOException | NumberFormatException e) {
            return new Reply(-1, e.toString());
        }
    }

    private static Socket connect(SSLContext tls, int port) throws IOException {
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        if (tls == null) {
            return plain;
        }
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }
}
