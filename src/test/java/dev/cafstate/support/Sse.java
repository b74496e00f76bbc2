package dev.cafstate.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** A Server-Sent Events client for the tests: reads a stream of the running app as a browser or agent would. */
public final class Sse {

    private Sse() {}

    /** One event: its id and name (null when the stream gives none) and its data lines joined. */
    public record Event(String id, String name, String data) {}

    /**
     * Reads up to {@code count} events of {@code path} with a bearer {@code token}, then disconnects; fewer when the
     * server ends the stream first.
     */
    public static CompletableFuture<List<Event>> read(
            int port, String path, String token, String lastEventId, int count) {
        int[] left = {count};
        return read(port, path, token, lastEventId, e -> --left[0] <= 0);
    }

    /** Reads the events of {@code path} up to the first that {@code last} accepts, or to the end of the stream. */
    public static CompletableFuture<List<Event>> until(int port, String path, String token, Predicate<Event> last) {
        return read(port, path, token, null, last);
    }

    private static CompletableFuture<List<Event>> read(
            int port, String path, String token, String lastEventId, Predicate<Event> last) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .header("Authorization", "Bearer " + token)
                        .header("Accept", "text/event-stream");
                if (lastEventId != null) {
                    request.header("Last-Event-ID", lastEventId);
                }
                HttpResponse<InputStream> response =
                        HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                assertThat(response.statusCode()).isEqualTo(200);
                List<Event> events = new ArrayList<>();
                try (BufferedReader reader =
                        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String id = null, name = null;
                    StringBuilder data = new StringBuilder();
                    String line;
                    boolean done = false;
                    while (!done && (line = reader.readLine()) != null) {
                        if (line.startsWith("id:")) {
                            id = line.substring(3).trim();
                        } else if (line.startsWith("event:")) {
                            name = line.substring(6).trim();
                        } else if (line.startsWith("data:")) {
                            data.append(line.substring(5).trim());
                        } else if (line.isEmpty() && (id != null || !data.isEmpty())) {
                            Event event = new Event(id, name, data.toString());
                            events.add(event);
                            done = last.test(event);
                            id = null;
                            name = null;
                            data.setLength(0);
                        }
                    }
                }
                return events;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
