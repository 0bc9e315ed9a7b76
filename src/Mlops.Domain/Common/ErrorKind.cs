namespace Mlops.Domain.Common;

/// <summary>The kinds of expected failure; each API dialect maps them to its own status codes.</summary>
public enum ErrorKind
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    Conflict,
    LimitExceeded,
}
