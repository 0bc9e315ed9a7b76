namespace Mlops.Server.Serving;

/// <summary>Where a standalone model server listens, what it accepts, and how many requests it scores at once (replicas).</summary>
public sealed record ModelServerOptions(string Host = "127.0.0.1", int Port = 5001, long MaxRequestBytes = 64L * 1024 * 1024, int MaxRows = 100_000, int Replicas = 2);
