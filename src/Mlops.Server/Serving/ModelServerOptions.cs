namespace Mlops.Server.Serving;

/// <summary>Where a standalone model server listens and what it accepts.</summary>
public sealed record ModelServerOptions(string Host = "127.0.0.1", int Port = 5001, long MaxRequestBytes = 64L * 1024 * 1024, int MaxRows = 100_000);
