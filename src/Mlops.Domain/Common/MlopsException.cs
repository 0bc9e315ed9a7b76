namespace Mlops.Domain.Common;

/// <summary>
/// An expected failure (bad input, unknown id, duplicate name). It is translated in one place per API
/// dialect: MLflow's error JSON on /api/2.0, problem details on /api/v1, an exit code in the CLI.
/// </summary>
public sealed class MlopsException(ErrorKind kind, string message) : Exception(message)
{
    public ErrorKind Kind { get; } = kind;

    public static MlopsException Invalid(string message) => new(ErrorKind.InvalidArgument, message);

    public static MlopsException NotFound(string message) => new(ErrorKind.NotFound, message);

    public static MlopsException AlreadyExists(string message) => new(ErrorKind.AlreadyExists, message);
}
