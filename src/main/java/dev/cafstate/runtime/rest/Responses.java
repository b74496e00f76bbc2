package dev.cafstate.runtime.rest;

import java.net.URI;

import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.RestResponse;

import dev.cafstate.common.http.ETags;

/** Builds runtime responses: every read and write carries the execution's state version as its ETag. */
final class Responses {

    /** Media type of RFC 7396 merge patches. */
    static final String MERGE_PATCH = "application/merge-patch+json";

    private Responses() {}

    static <T> RestResponse<T> ok(T body, long version) {
        return RestResponse.ResponseBuilder.ok(body)
                .header(HttpHeaders.ETAG, ETags.of(version))
                .build();
    }

    static <T> RestResponse<T> created(T body, long version, URI location) {
        RestResponse.ResponseBuilder<T> builder = RestResponse.ResponseBuilder.<T>create(RestResponse.Status.CREATED)
                .entity(body)
                .header(HttpHeaders.ETAG, ETags.of(version));
        if (location != null) {
            builder.location(location);
        }
        return builder.build();
    }

    static <T> RestResponse<T> noContent(long version) {
        return RestResponse.ResponseBuilder.<T>noContent()
                .header(HttpHeaders.ETAG, ETags.of(version))
                .build();
    }
}
