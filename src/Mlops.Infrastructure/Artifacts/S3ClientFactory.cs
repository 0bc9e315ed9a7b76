using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Artifacts;

/// <summary>
/// Builds the S3 client from the usual AWS settings: <c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c> for an
/// S3-compatible server, <c>AWS_REGION</c>/<c>AWS_DEFAULT_REGION</c>, and credentials from the SDK's default chain
/// (environment keys, <c>AWS_PROFILE</c> and the shared credentials file, SSO, container and instance roles).
/// </summary>
public static class S3ClientFactory
{
    // MinIO, Ceph RGW and s3rver sign with any region; us-east-1 is what they expect when none is given.
    private const string DefaultCompatibleRegion = "us-east-1";

    /// <param name="destination">The artifacts destination the client is for, named in configuration errors.</param>
    public static IAmazonS3 FromEnvironment(string destination) =>
        Create(
            Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") is { Length: > 0 } s3 ? s3 : Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"),
            Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region ? region : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION"),
            credentials: null,
            destination);

    /// <summary>A client for AWS (no endpoint) or for an S3-compatible server at <paramref name="endpointUrl"/>.</summary>
    /// <param name="credentials">Null for the SDK's default credential chain.</param>
    public static IAmazonS3 Create(string? endpointUrl, string? region, AWSCredentials? credentials, string? destination = null)
    {
        var config = new AmazonS3Config
        {
            // The SDK's default adds CRC trailers to aws-chunked bodies, which S3-compatible servers (s3rver, older
            // MinIO and Ceph releases) reject or store verbatim. Payloads are still signed with their SHA-256 instead.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };

        if (!string.IsNullOrEmpty(endpointUrl))
        {
            if (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                throw MlopsException.Invalid(
                    $"Invalid S3 endpoint '{endpointUrl}' (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL){(destination is null ? "" : $" for artifacts destination '{destination}'")}: "
                    + "it must be an http:// or https:// URL.");
            }

            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = string.IsNullOrEmpty(region) ? DefaultCompatibleRegion : region;

            // Self-hosted servers rarely have a DNS name per bucket, so address buckets in the path.
            config.ForcePathStyle = true;
        }
        else if (!string.IsNullOrEmpty(region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        try
        {
            return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
        }
        catch (AmazonClientException e)
        {
            throw MlopsException.Invalid(
                $"Cannot configure the S3 client{(destination is null ? "" : $" for artifacts destination '{destination}'")}: {e.Message.TrimEnd('.')}. "
                + "Set AWS_REGION, and AWS_ENDPOINT_URL_S3 for an S3-compatible server.");
        }
    }
}
