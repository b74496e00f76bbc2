package dev.cafstate.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder in front of a real service, so a test can cut the service off (close the port and every open
 * connection, as an outage with resets looks to the app) or freeze it (a black hole: nothing passes, nothing is
 * reset), and bring it back on the same port.
 */
public final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile boolean frozen;

    private final String name;
    private volatile boolean faulty;

    /** A proxy to {@code name} (as the fault banners in the log call it) at the target. */
    public TcpProxy(String name, String targetHost, int targetPort) throws IOException {
        this.name = name;
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            this.port = probe.getLocalPort();
        }
        open();
    }

    public int port() {
        return port;
    }

    /** Accepts connections again on the same port. */
    public synchronized void open() throws IOException {
        if (server != null) {
            return;
        }
        over();
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
        server = s;
        Thread acceptor = new Thread(() -> accept(s), "tcp-proxy-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Refuses new connections and resets every open one (TCP RST rather than an orderly close), as a crashed peer or
     * a middlebox dropping state looks.
     */
    public synchronized void reset() throws IOException {
        fault("connections to " + name + " reset");
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0);
            } catch (IOException e) {
                // already closed
            }
        }
        cut();
    }

    /** Refuses new connections and drops every open one. */
    public synchronized void cut() throws IOException {
        fault("connections to " + name + " cut");
        if (server != null) {
            server.close();
            server = null;
        }
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    /**
     * Black-holes the service: connections stay open but no byte passes in either direction, and new connections are
     * accepted but never reach the service, as when a network drops packets without resetting anything.
     */
    public void freeze() {
        fault(name + " stops answering");
        frozen = true;
    }

    /** Lets bytes pass again (what was sent meanwhile is delivered). */
    public void thaw() {
        frozen = false;
        over();
    }

    private synchronized void fault(String what) {
        if (!faulty) {
            faulty = true;
            Faults.begin(what);
        }
    }

    private synchronized void over() {
        if (faulty) {
            faulty = false;
            Faults.end(name + " is back");
        }
    }

    private void waitWhileFrozen() {
        while (frozen) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                waitWhileFrozen();
                Socket upstream = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(upstream);
                pipe(client, upstream);
                pipe(upstream, client);
            } catch (IOException e) {
                // closed by cut(), or the target refused: the client sees a dropped connection
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16384];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            waitWhileFrozen();
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // connection dropped
                    } finally {
                        close(from);
                        close(to);
                    }
                },
                "tcp-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
        sockets.remove(socket);
    }

    @Override
    public void close() throws IOException {
        faulty = true; // closing at the end of a run is no fault: no banner
        cut();
        faulty = false;
    }
}
