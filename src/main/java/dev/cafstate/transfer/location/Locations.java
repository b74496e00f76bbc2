package dev.cafstate.transfer.location;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.cafstate.common.config.CafConfig;
import dev.cafstate.common.error.ResourceNotFound;
import dev.cafstate.common.error.StateConflict;
import dev.cafstate.common.security.Tenant;
import io.quarkus.runtime.Startup;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * The configured locations ({@code caf.locations.<name>.*}), checked at start: a malformed one stops the start, as
 * any configuration error does. A location on the primary S3 service shares the primary client; one with an endpoint
 * or credentials of its own gets its own client, with the primary's bounded waits.
 */
@Startup
@ApplicationScoped
public class Locations {

    private final Map<String, Location> byName = new TreeMap<>();
    private final List<S3Client> own = new ArrayList<>();

    public Locations(CafConfig config, S3Client primary) {
        if (!config.locations().isEmpty() && config.clusterId().equals(CafConfig.DEFAULT_CLUSTER_ID)) {
            // two clusters left at the default would write under one prefix and take each other's exports as their own
            throw new IllegalArgumentException("caf.cluster-id (CAF_CLUSTER_ID) must name this cluster when locations"
                    + " are configured; it is still '" + CafConfig.DEFAULT_CLUSTER_ID + "'");
        }
        config.locations().forEach((name, c) -> byName.put(name, build(name, c, primary, config.s3())));
    }

    private Location build(String name, CafConfig.Location c, S3Client primary, CafConfig.S3 store) {
        // no dashes or dots: CAF_LOCATIONS_<NAME>_BUCKET must name one location unambiguously
        if (!name.matches("[a-z0-9]{1,63}")) {
            throw new IllegalArgumentException("caf.locations: '" + name + "' is not a location name ([a-z0-9])");
        }
        String access = c.access();
        if (!access.equals("read-write") && !access.equals("read-only")) {
            throw new IllegalArgumentException(
                    "caf.locations." + name + ".access is '" + access + "'; it must be read-write or read-only");
        }
        Map<String, String> tenants = new HashMap<>();
        for (String entry : c.tenants().orElse(List.of())) {
            String[] parts = entry.split("=", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException(
                        "caf.locations." + name + ".tenants: '" + entry + "' is not source=destination");
            }
            tenants.put(parts[0].trim(), parts[1].trim());
        }
        c.serverSideEncryption().ifPresent(sse -> {
            if (!sse.equals("AES256") && !sse.equals("aws:kms")) {
                throw new IllegalArgumentException("caf.locations." + name + ".server-side-encryption is '" + sse
                        + "'; it must be AES256 or aws:kms");
            }
        });
        S3Client s3 = primary;
        boolean ownService = c.endpoint().isPresent()
                || c.accessKeyId().isPresent()
                || c.region().isPresent();
        if (ownService) {
            s3 = client(c);
            own.add(s3);
        }
        // encryption at rest is kept on export: without a setting of its own, a location encrypts as the primary store
        // does; a KMS key is taken along only within the same S3 service (another account cannot use it)
        Optional<String> sse = c.serverSideEncryption().or(store::serverSideEncryption);
        Optional<String> kms =
                c.serverSideEncryption().isPresent() ? c.kmsKeyId() : ownService ? Optional.empty() : store.kmsKeyId();
        String prefix = c.prefix().orElse("").replaceAll("^/+|/+$", "");
        return new Location(
                name,
                c.bucket(),
                prefix,
                c.endpoint().orElse(null),
                access.equals("read-write"),
                c.syncInterval().filter(d -> !d.isZero()),
                c.notifications(),
                Map.copyOf(tenants),
                Set.copyOf(new HashSet<>(c.autoExportTenants().orElse(List.of()))),
                sse,
                kms,
                s3);
    }

    private static S3Client client(CafConfig.Location c) {
        var config = ConfigProvider.getConfig();
        String region = c.region()
                .or(() -> config.getOptionalValue("quarkus.s3.aws.region", String.class))
                .orElse("us-east-1");
        boolean chunked = config.getOptionalValue("quarkus.s3.chunked-encoding", Boolean.class)
                .orElse(true);
        Duration connect = config.getOptionalValue("quarkus.s3.sync-client.connection-timeout", Duration.class)
                .orElse(Duration.ofSeconds(3));
        Duration socket = config.getOptionalValue("quarkus.s3.sync-client.socket-timeout", Duration.class)
                .orElse(Duration.ofSeconds(15));
        Duration call = config.getOptionalValue("quarkus.s3.api-call-timeout", Duration.class)
                .orElse(Duration.ofSeconds(60));
        AwsCredentialsProvider credentials = c.accessKeyId().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        c.accessKeyId().get(), c.secretAccessKey().orElse("")))
                : DefaultCredentialsProvider.builder().build();
        var builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(connect)
                        .socketTimeout(socket)
                        .build())
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(c.pathStyle())
                        .chunkedEncodingEnabled(chunked)
                        .build())
                .overrideConfiguration(o -> o.apiCallTimeout(call));
        c.endpoint().ifPresent(e -> builder.endpointOverride(URI.create(e)));
        return builder.build();
    }

    /** The location, or 404. */
    public Location get(String name) {
        Location l = name == null ? null : byName.get(name);
        if (l == null) {
            throw new ResourceNotFound("location '" + name + "' is not configured");
        }
        return l;
    }

    /** The location for writing (an export or a handoff), or 409 when it is read-only. */
    public Location writable(String name) {
        Location l = get(name);
        if (!l.writable()) {
            throw new StateConflict("location '" + name + "' is read-only");
        }
        return l;
    }

    /** The locations every new checkpoint of the tenant is exported to. */
    public List<String> autoExporting(Tenant tenant) {
        return byName.values().stream()
                .filter(l -> l.autoExports(tenant))
                .map(Location::name)
                .toList();
    }

    public Optional<Location> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Location> all() {
        return byName.values();
    }

    @PreDestroy
    void close() {
        own.forEach(S3Client::close);
    }
}
