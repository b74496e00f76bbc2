package dev.cafstate.checkpoint.storage;

import jakarta.enterprise.event.Observes;

import dev.cafstate.common.config.CafConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

/** Creates the checkpoint bucket at start-up when {@code caf.s3.create-bucket} is on (local runs). */
public class BucketInitializer {

    void create(@Observes StartupEvent event, CafConfig config, S3Client s3) {
        if (!config.s3().createBucket()) {
            return;
        }
        String bucket = config.s3().bucket();
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            s3.createBucket(b -> b.bucket(bucket));
            Log.infof("created bucket %s", bucket);
        } catch (RuntimeException e) {
            Log.warnf(
                    "cannot check bucket %s now (%s); checkpoints will fail until S3 is reachable",
                    bucket, e.toString());
        }
    }
}
