package io.marchproxy.control.xds;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Upstreams for the real-Envoy tests, all on loopback: HTTP and HTTPS servers that answer every request with their own
 * name, and a TCP echo server. Closing stops them all.
 */
final class Backends implements AutoCloseable {
    private final List<HttpServer> http = new ArrayList<>();
    private final List<ServerSocket> tcp = new ArrayList<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    /** An HTTP backend answering {@code name} to every request; returns its port. */
    int http(String name) throws IOException {
        return serve(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64), name);
    }

    /** An HTTPS backend answering {@code name}, presenting the certificate of {@code tls}; returns its port. */
    int https(String name, SSLContext tls) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        return serve(s, name);
    }

    private int serve(HttpServer s, String name) {
        byte[] body = name.getBytes(StandardCharsets.UTF_8);
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        s.setExecutor(threads);
        s.start();
        http.add(s);
        return s.getAddress().getPort();
    }

    /** A TCP server that echoes every byte back; returns its port. */
    int echo() throws IOException {
        ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        tcp.add(server);
        threads.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket c = server.accept();
                    threads.execute(() -> echo(c));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return server.getLocalPort();
    }

    private static void echo(Socket c) {
        try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the peer went away
        }
    }

    /** A port that was free on loopback a moment ago. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The first of {@code n} consecutive ports that were all free on loopback a moment ago. */
    static int freePorts(int n) throws IOException {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = 20_000 + random.nextInt(30_000);
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int p = base; p < base + n; p++) {
                    held.add(new ServerSocket(p, 1, InetAddress.getLoopbackAddress()));
                }
                return base;
            } catch (IOException taken) {
                // try another base
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
        }
        throw new IOException("no " + n + " consecutive free ports found");
    }

    @Override
    public void close() throws IOException {
        http.forEach(s -> s.stop(0));
        for (ServerSocket s : tcp) {
            s.close();
        }
        threads.shutdownNow();
    }
}
