package dev.cafstate.common.http;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import dev.cafstate.common.config.CafConfig;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Guards at the HTTP layer, before a request's body is read:
 * <ul>
 * <li>a <b>body deadline</b>: a request whose body has not fully arrived {@code caf.http.body-timeout} after its
 * headers is answered 408 and its connection closed, so a client trickling a body cannot hold a connection
 * (connections that send nothing are closed after {@code quarkus.http.idle-timeout});</li>
 * <li>a <b>memory budget for documents</b>: a pushed checkpoint takes about {@link #DOCUMENT_MEMORY_FACTOR} times its
 * size in heap while it is parsed, checked and written, so pushes reserve that much of
 * {@code caf.limits.documents-in-flight-bytes} (by {@code Content-Length}, or the largest document when the body is
 * chunked) and get a 503 with {@code Retry-After} when it is spent, instead of running the pod out of memory. The
 * reservation is made once the caller is authenticated and allowed to push ({@link #reserveForDocument}, after the
 * tenant filter) and before the body is read: a client without a valid token cannot spend the budget.</li>
 * </ul>
 */
@ApplicationScoped
public class HttpGuards {

    /**
     * Heap a document takes while it is stored, as a multiple of its size: the body as read, its copy as the
     * parameter, the JSON tree (2-3x: strings are UTF-16 plus node objects), and the database parameter encoding.
     */
    public static final int DOCUMENT_MEMORY_FACTOR = 6;

    private final CafConfig config;
    private final AtomicLong available = new AtomicLong();
    private volatile long budget;

    public HttpGuards(CafConfig config) {
        this.config = config;
    }

    void install(@Observes Router router, Vertx vertx) {
        budget = config.limits()
                .documentsInFlightBytes()
                .orElse(Runtime.getRuntime().maxMemory() / 4);
        available.set(budget);
        Log.infof("memory budget for documents in flight: %d MiB", budget >> 20);
        long bodyTimeout = config.http().bodyTimeout().toMillis();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> guard(ctx, vertx, bodyTimeout));
    }

    private void guard(RoutingContext ctx, Vertx vertx, long bodyTimeout) {
        HttpServerRequest request = ctx.request();
        HttpMethod method = request.method();
        boolean hasBody = method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
        if (hasBody && bodyTimeout > 0 && !request.isEnded()) {
            long timer = vertx.setTimer(bodyTimeout, id -> {
                if (!request.isEnded() && !ctx.response().ended()) {
                    refuse(
                            ctx,
                            408,
                            "request-timeout",
                            "Request timeout",
                            "the request body did not arrive within " + bodyTimeout + " ms (caf.http.body-timeout)",
                            0);
                    request.connection().close();
                }
            });
            ctx.addEndHandler(x -> vertx.cancelTimer(timer));
        }
        ctx.next();
    }

    /**
     * Reserves the memory a pushed document needs, after the tenant filter (priority 100) authenticated the call and
     * allowed it, before its body is read (a request filter runs before the body unless it asks for it).
     */
    @ServerRequestFilter(priority = 110)
    public Response reserveForDocument(ContainerRequestContext request, RoutingContext ctx) {
        if (!request.getMethod().equals("POST") || !isDocument(ctx.request().path())) {
            return null;
        }
        long size = contentLength(ctx.request());
        long need = DOCUMENT_MEMORY_FACTOR
                * (size >= 0 ? size : config.checkpoints().maxDocumentBytes());
        long reserved = reserve(need);
        if (reserved < 0) {
            return Response.status(503)
                    .type("application/problem+json")
                    .header("Retry-After", "1")
                    .header("Connection", "close")
                    .entity(problem(
                            503,
                            "dependency-unavailable",
                            "Service unavailable",
                            "too many large documents are being stored at once (caf.limits.documents-in-flight-bytes);"
                                    + " retry shortly"))
                    .build();
        }
        ctx.addEndHandler(x -> available.addAndGet(reserved));
        return null;
    }

    /** The bytes reserved, or -1 when the budget is spent; a document larger than the whole budget runs alone. */
    long reserve(long need) {
        while (true) {
            long free = available.get();
            long take = Math.min(need, budget);
            if (free < take) {
                return -1;
            }
            if (available.compareAndSet(free, free - take)) {
                return take;
            }
        }
    }

    private static boolean isDocument(String path) {
        return path.equals("/api/v1/checkpoints") || path.equals("/api/v1/checkpoints/");
    }

    private static long contentLength(HttpServerRequest request) {
        String header = request.getHeader("Content-Length");
        try {
            return header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void refuse(
            RoutingContext ctx, int status, String slug, String title, String detail, int retryAfter) {
        var response = ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/problem+json")
                .putHeader("Connection", "close");
        if (retryAfter > 0) {
            response.putHeader("Retry-After", String.valueOf(retryAfter));
        }
        response.end(problem(status, slug, title, detail));
    }

    private static String problem(int status, String slug, String title, String detail) {
        return "{\"type\":\"urn:caf-state:problem:" + slug + "\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"}";
    }
}
