package dev.cafstate.support;

import io.restassured.RestAssured;

/** Reads the service's own /q/metrics, as Prometheus would. */
public final class Metrics {

    private Metrics() {}

    /** The value of the first sample named {@code name} (a metric name, or one with its labels), or NaN. */
    public static double gauge(String name) {
        for (String line : RestAssured.given().get("/q/metrics").asString().split("\n")) {
            if (line.startsWith(name + " ") || (!name.contains("{") && line.startsWith(name + "{"))) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }
}
