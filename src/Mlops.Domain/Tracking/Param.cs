namespace Mlops.Domain.Tracking;

/// <summary>A run parameter: written once; the same value again is a no-op, a different value is an error.</summary>
public readonly record struct Param(string Key, string Value);
