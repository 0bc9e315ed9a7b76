namespace Mlops.Domain.Tracking;

/// <summary>A mutable key/value label on an experiment or a run.</summary>
public readonly record struct Tag(string Key, string Value);
