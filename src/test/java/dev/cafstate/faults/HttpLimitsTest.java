package dev.cafstate.faults;

import static dev.cafstate.support.Api.as;
import static dev.cafstate.support.Api.newExecution;
import static dev.cafstate.support.Api.newTenant;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

import dev.cafstate.support.Api;
import dev.cafstate.support.CafDocs;
import dev.cafstate.support.TestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Limits on what a client sends: a body's size is measured on the bytes read whatever the
 * framing, documents in flight have a memory budget, and slow clients are cut off.
 */
@QuarkusTest
@WithTestResource(TestServices.class)
class HttpLimitsTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    /** A chunked POST (no Content-Length): the status and the body of the answer. */
    record Answer(int status, String contentType, String body) {}

    Answer chunked(String path, String token, byte[] body) throws IOException {
        HttpURLConnection c = (HttpURLConnection)
                URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setChunkedStreamingMode(8192);
        c.setRequestProperty("Content-Type", "application/json");
        c.setRequestProperty("Authorization", "Bearer " + token);
        try (OutputStream out = c.getOutputStream()) {
            out.write(body);
        } catch (IOException e) {
            // the server may answer and close before the whole body is sent
        }
        int status = c.getResponseCode();
        InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
        return new Answer(
                status, c.getContentType(), in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void chunkedBodiesAreMeasuredOnTheBytesRead() throws Exception {
        String tenant = newTenant();
        String id = newExecution(tenant);
        // the test profile allows 64 KiB per runtime request and 256 KiB per document
        String big = "{\"type\":\"planning\",\"content\":\"" + "a".repeat(200_000) + "\",\"confidence\":0.5}";
        Answer a = chunked("/api/v1/executions/" + id + "/thoughts", Api.token(tenant), big.getBytes());
        assertThat(a.status()).isEqualTo(413);
        assertThat(a.contentType()).startsWith("application/problem+json");
        StringBuilder batch = new StringBuilder("{\"steps\":[");
        for (int i = 0; i < 90; i++) {
            batch.append(i == 0 ? "" : ",")
                    .append("{\"type\":\"planning\",\"content\":\"" + "b".repeat(2_000) + "\",\"confidence\":0.5}");
        }
        a = chunked(
                "/api/v1/executions/" + id + "/thoughts",
                Api.token(tenant),
                batch.append("]}").toString().getBytes());
        assertThat(a.status()).isEqualTo(413);
        String doc = CafDocs.checkpoint("chunked-big", "e-chunked").bulk(5000).toString();
        a = chunked("/api/v1/checkpoints", Api.token(tenant), doc.getBytes());
        assertThat(a.status()).isEqualTo(413);
        as(tenant)
                .get("/api/v1/executions/{id}/thoughts", id)
                .then()
                .statusCode(200)
                .body("items.size()", Matchers.equalTo(0));
        as(tenant).get("/api/v1/checkpoints/chunked-big").then().statusCode(404);
        // within the limit, chunked is as good as anything
        a = chunked(
                "/api/v1/executions/" + id + "/thoughts",
                Api.token(tenant),
                "{\"type\":\"planning\",\"content\":\"ok\",\"confidence\":0.5}".getBytes());
        assertThat(a.status()).isEqualTo(201);
    }

    @Test
    void documentsInFlightHaveAMemoryBudget() throws Exception {
        // the test profile's budget is 4 MiB: one 235 KB document reserves about 1.4 MB
        String tenant = newTenant();
        int clients = 12;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        List<Future<Response>> calls = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String doc =
                    CafDocs.checkpoint("budget-" + i, "e-budget").bulk(1400).toString();
            calls.add(threads.submit(() -> {
                start.await();
                return as(tenant).body(doc).post("/api/v1/checkpoints");
            }));
        }
        start.countDown();
        int stored = 0;
        int refused = 0;
        for (Future<Response> call : calls) {
            Response r = call.get();
            if (r.statusCode() == 201) {
                stored++;
            } else {
                assertThat(r.statusCode()).as(r.asString()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isNotNull();
                assertThat(r.contentType()).startsWith("application/problem+json");
                refused++;
            }
        }
        threads.shutdown();
        assertThat(stored).isPositive();
        assertThat(refused).isPositive();
        // the budget comes back: the refused ones go through one at a time
        for (int i = 0; i < clients; i++) {
            if (as(tenant).get("/api/v1/checkpoints/budget-" + i).statusCode() == 404) {
                as(tenant)
                        .body(CafDocs.checkpoint("budget-" + i, "e-budget")
                                .bulk(1400)
                                .toString())
                        .post("/api/v1/checkpoints")
                        .then()
                        .statusCode(201);
            }
        }
    }

    @Test
    void callersWithoutAValidTokenCannotSpendTheDocumentBudget() throws Exception {
        // each announces 2 MiB (12 MiB of budget, three times the test profile's 4 MiB) and sends one byte of it
        List<Socket> open = new ArrayList<>();
        try {
            for (String authorization : List.of("", "", "Authorization: Bearer not-a-token\r\n", "")) {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream()
                        .write(("POST /api/v1/checkpoints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                        + authorization + "Content-Length: 2097152\r\n\r\n{")
                                .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                open.add(s);
            }
            Thread.sleep(500);
            as(newTenant())
                    .body(CafDocs.checkpoint("after-anonymous", "e").bulk(100).toString())
                    .post("/api/v1/checkpoints")
                    .then()
                    .statusCode(201);
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void aBodyTrickledByteByByteIsCutOffWith408() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/executions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Authorization: Bearer " + Api.token(newTenant()) + "\r\nContent-Length: 100\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            Thread reader = new Thread(() -> {
                try {
                    s.getInputStream().transferTo(answer);
                } catch (IOException e) {
                    // closed
                }
            });
            reader.start();
            // a byte every second: never idle, never done
            for (int i = 0; i < 12 && reader.isAlive(); i++) {
                Thread.sleep(1000);
                try {
                    out.write(' ');
                    out.flush();
                } catch (IOException e) {
                    break;
                }
            }
            reader.join(5000);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(reader.isAlive()).isFalse();
            assertThat(answer.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 408");
            // the test profile's caf.http.body-timeout is 3 s
            assertThat(tookMs).isLessThan(8_000);
        }
    }

    @Test
    void aConnectionThatStopsSendingHalfwayThroughItsHeadersIsClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET /api/v1/executions HTTP/1.1\r\nHost: x\r\nX-Half".getBytes());
            long start = System.nanoTime();
            int read = s.getInputStream().read();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(read).isEqualTo(-1);
            // the test profile's quarkus.http.idle-timeout is 4 s
            assertThat(tookMs).isBetween(2_000L, 12_000L);
        }
    }
}
