package dev.cafstate.common.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every setting of CAF State itself (prefix {@code caf}); framework settings stay under {@code quarkus.*}. */
@ConfigMapping(prefix = "caf")
public interface CafConfig {

    /** Authentication and tenancy. */
    Auth auth();

    /** Request size and batch limits. */
    Limits limits();

    /** Event outbox, relay and Server-Sent Events. */
    Events events();

    /** S3-compatible object storage. */
    S3 s3();

    /** Health reporting. */
    Health health();

    /** Checkpoint documents, retention and the orphan reconciler. */
    Checkpoints checkpoints();

    /** How long the service waits for PostgreSQL. */
    Db db();

    /** HTTP connections. */
    Http http();

    /** The cluster id left at its default: only allowed while no location is configured. */
    String DEFAULT_CLUSTER_ID = "default";

    /**
     * This deployment's cluster id: written into everything it exports, and the name handoffs target it by. Required
     * (not {@value #DEFAULT_CLUSTER_ID}) once locations are configured.
     */
    @WithDefault(DEFAULT_CLUSTER_ID)
    String clusterId();

    /** Export, import and handoff jobs. */
    Transfer transfer();

    /** Named locations: buckets (and prefixes) that other clusters can reach too. */
    Map<String, Location> locations();

    /** Export, import and handoff jobs. */
    interface Transfer {
        /** Run transfer jobs, syncs and handoffs on this replica. */
        @WithDefault("true")
        boolean enabled();

        /** How often a replica looks for transfer work (jobs, syncs due, handoffs to advance). */
        @WithDefault("1s")
        Duration pollInterval();

        /** How long a replica holds a job without renewing; a replica that dies loses it after this. */
        @WithDefault("30s")
        Duration lease();

        /** Objects a job copies at once. */
        @WithDefault("8")
        int concurrency();

        /** Item errors kept and shown per job (the counts are always complete). */
        @WithDefault("100")
        int maxErrors();

        /** How long a handoff waits for its target's acknowledgement before the operator may abort it. */
        @WithDefault("10m")
        Duration handoffTimeout();

        /**
         * The largest clock difference between clusters the handoff allows for: a target acknowledges only while
         * the handoff is this far from expiring, and the source aborts only this long after it expired.
         */
        @WithDefault("30s")
        Duration handoffClockSkew();

        /** RabbitMQ queue that receives S3 event notifications (its dead letters go to {@code <queue>.dlq}). */
        @WithDefault("caf.bucket-notifications")
        String notificationsQueue();

        /** Exchange the queue is bound to (routing key {@code #}): where the S3 service publishes its events. */
        @WithDefault("caf.bucket-notifications")
        String notificationsExchange();
    }

    /** A bucket and prefix that several clusters reach, with the rules for what crosses it. */
    interface Location {
        String bucket();

        /** Key prefix inside the bucket. */
        Optional<String> prefix();

        /** S3 endpoint of its own (another S3 service than the primary store); default: the primary's. */
        Optional<String> endpoint();

        /** Region of its own; default: the primary's. */
        Optional<String> region();

        /** Path-style addressing for its own endpoint. */
        @WithDefault("true")
        boolean pathStyle();

        /** Static credentials of its own (from a Secret); default: the primary's credentials chain. */
        Optional<String> accessKeyId();

        Optional<String> secretAccessKey();

        /** {@code read-write} (exports and handoffs may write here) or {@code read-only}. */
        @WithDefault("read-only")
        String access();

        /** List the location this often and import what is new (like Velero's backup sync); unset: no sync. */
        Optional<Duration> syncInterval();

        /** Import what bucket notifications announce under this location. */
        @WithDefault("false")
        boolean notifications();

        /**
         * Explicit tenant mappings, {@code source=destination}: objects of the source tenant are imported into the
         * destination tenant. Without one, a tenant's objects go into the same tenant only.
         */
        Optional<List<String>> tenants();

        /** Tenants whose every new checkpoint is exported here ({@code *}: every tenant); continuous replication. */
        Optional<List<String>> autoExportTenants();

        /** Server-side encryption of what is written here: {@code AES256} or {@code aws:kms}. */
        Optional<String> serverSideEncryption();

        /** KMS key id for {@code aws:kms}. */
        Optional<String> kmsKeyId();
    }

    /** Bounds on slow clients. */
    interface Http {
        /** Longest a request's body may take to arrive after its headers (408 and the connection closed after). */
        @WithDefault("30s")
        Duration bodyTimeout();
    }

    /** Bounded waits for PostgreSQL: a database that stops answering makes requests fail with 503, not hang. */
    interface Db {
        /** Longest wait to open a connection. */
        @WithDefault("3s")
        Duration connectTimeout();

        /** Longest wait for a free connection of the pool (every connection busy or being opened). */
        @WithDefault("3s")
        Duration acquireTimeout();

        /**
         * Longest a statement (and a transaction's BEGIN/COMMIT/ROLLBACK) may take before the request fails with
         * 503; 0 turns the bound off.
         */
        @WithDefault("5s")
        Duration statementTimeout();

        /**
         * Also send {@link #statementTimeout()} to PostgreSQL as its {@code statement_timeout} (off behind PgBouncer).
         */
        @WithDefault("true")
        boolean serverStatementTimeout();
    }

    /** Checkpoint settings. */
    interface Checkpoints {
        /** Largest checkpoint document accepted or produced, in bytes (413 above). */
        @WithDefault("33554432")
        long maxDocumentBytes();

        /** Documents up to this size are also kept inline in PostgreSQL for quick restore. */
        @WithDefault("65536")
        int inlineMaxBytes();

        /** Retention: keep at most this many checkpoints per execution (newest kept); unset keeps all. */
        Optional<Integer> keepLast();

        /** Retention: delete checkpoints older than this; unset keeps them forever. */
        Optional<Duration> maxAge();

        /** How often retention and the orphan reconciler run. */
        @WithDefault("15m")
        Duration maintenanceInterval();

        /**
         * The reconciler leaves objects younger than this alone. Writes in flight are protected by their write claims
         * whatever this is; the grace only spares objects of writes that began before an upgrade to claims.
         */
        @WithDefault("10m")
        Duration orphanGrace();

        /**
         * Longest a checkpoint write may take from claiming its object key to committing its rows. An older claim is
         * taken to be of a crashed writer: its object may be deleted, and a write that outlived it fails with 503.
         */
        @WithDefault("10m")
        Duration writeClaimTimeout();

        /** How often the scheduled scrub verifies every checkpoint of every tenant; 0 turns it off. */
        @WithDefault("24h")
        Duration scrubInterval();

        /** How fast the scrub reads objects back (bytes per second, across this replica's passes). */
        @WithDefault("8388608")
        long scrubBytesPerSecond();
    }

    /** Health settings. */
    interface Health {
        /** Fail readiness when S3 or the broker is unreachable (by default only PostgreSQL fails readiness). */
        @WithDefault("false")
        boolean strict();
    }

    /** Authentication and tenancy settings. */
    interface Auth {
        /** Require a bearer JWT on every API call; only a non-prod profile may turn this off. */
        @WithDefault("true")
        boolean enabled();

        /** JWT claim that names the caller's tenant. */
        @WithDefault("tenant")
        String tenantClaim();

        /** Longest tenant accepted from a token, in characters; tenants are parts of every key and routing key. */
        @WithDefault("64")
        int maxTenantLength();

        /** Claim that lists a token's roles ({@code agent}, {@code reader}, {@code operator}). */
        @WithDefault("groups")
        String rolesClaim();

        /**
         * Roles of Kubernetes service accounts, whose tokens carry none: entries {@code namespace/name=role+role},
         * e.g. {@code ops/caf-admin=operator+reader}.
         */
        Optional<List<String>> serviceAccountRoles();

        /** Roles of a service account not listed in {@link #serviceAccountRoles()}. */
        @WithDefault("agent")
        List<String> serviceAccountDefaultRoles();

        /** Tenant used for every call when auth is off (local development only). */
        @WithDefault("local")
        String fixedTenant();

        /**
         * How many verified tokens are remembered, so that a token reused on every call (as agents do) is verified
         * once per {@link #tokenCacheTtl()} instead of on every request; 0 turns the cache off.
         */
        @WithDefault("10000")
        int tokenCacheSize();

        /**
         * Longest time a verified token is trusted without verifying it again (never past its {@code exp}); bounds
         * how long a token stays accepted after its signing key is removed from the JWKS.
         */
        @WithDefault("60s")
        Duration tokenCacheTtl();
    }

    /** Limits applied to requests; each has a test at its edge. */
    interface Limits {
        /** Largest accepted request body on runtime endpoints, in bytes. */
        @WithDefault("1048576")
        long maxRequestBytes();

        /** Most items (steps, messages) accepted in one batch append. */
        @WithDefault("1000")
        int maxBatchItems();

        /**
         * Longest id (execution, checkpoint, step, tool call, tool, agent) in UTF-8 bytes. CAF has no bound; ids are
         * parts of primary keys, index entries and object keys.
         */
        @WithDefault("512")
        int maxIdBytes();

        /** Longest memory key in UTF-8 bytes (CAF has no bound; keys are index entries). */
        @WithDefault("1024")
        int maxMemoryKeyBytes();

        /**
         * Heap that documents being pushed may take at once (each reserves about six times its size while it is
         * stored); a push past it is a 503 with {@code Retry-After}. Unset: a quarter of the heap.
         */
        Optional<Long> documentsInFlightBytes();

        /**
         * Deepest nesting of objects and arrays in a body, counted from the body's root (422 above); 1..1000, checked
         * at start. CAF has no bound; it protects the service's recursive readers and the database's.
         */
        @WithDefault("128")
        int maxJsonDepth();
    }

    /** Event settings. */
    interface Events {
        /** RabbitMQ topic exchange the events are published to. */
        @WithDefault("caf.events")
        String exchange();

        /** CloudEvents {@code source} attribute naming this deployment. */
        @WithDefault("urn:caf-state:default")
        String source();

        /** Most outbox rows the relay publishes in one round. */
        @WithDefault("200")
        int relayBatchSize();

        /** How often the relay looks for unpublished events (it drains everything it finds before waiting again). */
        @WithDefault("200ms")
        Duration relayInterval();

        /**
         * How long the relay waits for the broker's publisher confirms before retrying a round. It also bounds the
         * relay's transaction: idle in it for this plus 2 s (a holder frozen, cut off or stopped mid-round), the
         * database ends the session, which frees the relay for another replica.
         */
        @WithDefault("5s")
        Duration publishTimeout();

        /** How long published events stay in the outbox for SSE resumption ({@code Last-Event-ID}). */
        @WithDefault("24h")
        Duration retention();

        /**
         * Width of the outbox's time partitions: a partition is dropped whole once all its events are published and
         * past retention (a few dozen partitions per retention period is right).
         */
        @WithDefault("1h")
        Duration partitionInterval();

        /** How often each replica looks for new events for its open SSE streams. */
        @WithDefault("250ms")
        Duration ssePollInterval();

        /** How often each SSE stream also reads on its own (catches events that committed out of sequence order). */
        @WithDefault("5s")
        Duration sseResyncInterval();

        /** How often an SSE stream without events sends a comment, so that it is not closed as idle. */
        @WithDefault("15s")
        Duration sseKeepalive();

        /** Delivery counts as stalled (readiness data, metrics) once an unpublished event is older than this. */
        @WithDefault("30s")
        Duration stalledAfter();

        /** How often the outbox backlog and the age of its oldest event are read for the metrics. */
        @WithDefault("5s")
        Duration monitorInterval();
    }

    /** Object storage settings. */
    interface S3 {
        /** Bucket that holds checkpoint objects. */
        @WithDefault("caf-checkpoints")
        String bucket();

        /** Create the bucket at start-up when it does not exist (handy locally; off in production). */
        @WithDefault("false")
        boolean createBucket();

        /** Optional key prefix for every object this deployment writes. */
        Optional<String> keyPrefix();

        /** Server-side encryption of checkpoint objects: {@code AES256} or {@code aws:kms}; unset: the bucket's. */
        Optional<String> serverSideEncryption();

        /** KMS key id for {@code aws:kms}. */
        Optional<String> kmsKeyId();
    }
}
