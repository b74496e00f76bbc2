package dev.cafstate.support;

import java.net.URI;
import java.util.List;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** A plain AWS SDK S3 client straight on S3Proxy, independent of the app: what an operator's tool would see. */
public final class Storage {

    private Storage() {}

    /** The keys under a prefix of the test bucket (directory markers left out). */
    public static List<String> keys(String prefix) {
        try (S3Client s3 = client()) {
            return s3.listObjectsV2(b -> b.bucket(TestServices.BUCKET).prefix(prefix)).contents().stream()
                    .map(S3Object::key)
                    .filter(k -> !k.endsWith("/"))
                    .toList();
        }
    }

    public static S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(TestServices.s3Endpoint()))
                .forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(TestServices.S3_IDENTITY, TestServices.S3_CREDENTIAL)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
