package dev.cafstate.support;

import java.net.URI;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** A plain AWS SDK S3 client straight on S3Proxy, independent of the app: what an operator's tool would see. */
public final class Storage {

    private Storage() {
    }

    public static S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(TestServices.s3Endpoint())).forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(TestServices.S3_IDENTITY, TestServices.S3_CREDENTIAL)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create()).build();
    }
}
