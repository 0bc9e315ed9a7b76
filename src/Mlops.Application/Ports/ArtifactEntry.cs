namespace Mlops.Application.Ports;

/// <summary>A file or folder in an artifact listing; <see cref="Path"/> is relative to the artifact root.</summary>
public sealed record ArtifactEntry(string Path, bool IsDirectory, long? FileSize);
