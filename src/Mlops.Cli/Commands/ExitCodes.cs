namespace Mlops.Cli.Commands;

/// <summary>Exit codes scripts can rely on.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;
    public const int NotFound = 3;
    public const int InvalidArgument = 4;
    public const int ServerUnreachable = 5;
}
