using System.Text.RegularExpressions;
using Mlops.Domain.Artifacts;
using Mlops.Domain.Common;

namespace Mlops.Infrastructure.Artifacts;

/// <summary>
/// Where the artifact root lives in S3: a bucket and a key prefix, from <c>s3://bucket/prefix</c>. It maps every
/// <see cref="ArtifactPath"/> to a key strictly below the prefix and back, so nothing can name a key outside it.
/// </summary>
public sealed partial record S3ArtifactRoot
{
    private S3ArtifactRoot(string bucket, ArtifactPath prefix)
    {
        Bucket = bucket;
        Prefix = prefix;
    }

    public const string Scheme = "s3://";

    public string Bucket { get; }

    /// <summary>The root's key prefix without slashes ("" for the whole bucket); it obeys the same rules as artifact paths.</summary>
    public ArtifactPath Prefix { get; }

    // S3's bucket naming rules (the strictest common subset: MinIO, Ceph and R2 accept these names too).
    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();

    public static bool IsS3Uri(string destination) => destination.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    public static S3ArtifactRoot Parse(string destination)
    {
        if (!IsS3Uri(destination))
        {
            throw Invalid(destination, $"it must start with {Scheme}");
        }

        var rest = destination[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        if (!BucketName().IsMatch(bucket) || bucket.Contains("..", StringComparison.Ordinal))
        {
            throw Invalid(destination, "the bucket name must be 3 to 63 lowercase letters, digits, dots or hyphens");
        }

        ArtifactPath prefix;
        try
        {
            prefix = ArtifactPath.Parse(slash < 0 ? "" : rest[(slash + 1)..]);
        }
        catch (MlopsException e)
        {
            throw Invalid(destination, "the key prefix is not a plain relative path (" + e.Message + ")");
        }

        return new S3ArtifactRoot(bucket, prefix);
    }

    /// <summary>The object key of a file.</summary>
    public string KeyOf(ArtifactPath path) => Prefix.Combine(path).Value;

    /// <summary>The key prefix that lists a folder's content: the folder's key and a slash ("" for the bucket root).</summary>
    public string FolderPrefixOf(ArtifactPath folder) => Prefix.Combine(folder) is { IsRoot: false } full ? full.Value + "/" : "";

    public override string ToString() => Scheme + Bucket + (Prefix.IsRoot ? "" : "/" + Prefix.Value);

    private static MlopsException Invalid(string destination, string why) =>
        MlopsException.Invalid($"Invalid artifacts destination '{destination}': {why}.");
}
