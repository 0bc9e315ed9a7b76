namespace Mlops.Domain.Tracking;

/// <summary>Readable default run names ("brave-otter-417") for runs created without one, as MLflow users expect.</summary>
public static class RunNames
{
    private static readonly string[] s_adjectives =
    [
        "able", "amber", "bold", "brave", "bright", "calm", "clever", "crisp", "daring", "eager", "fast", "fierce",
        "gentle", "glad", "grand", "happy", "keen", "kind", "lively", "lucky", "merry", "nimble", "noble", "proud",
        "quick", "quiet", "rapid", "sharp", "shy", "silent", "smooth", "steady", "sunny", "swift", "tidy", "vivid",
        "warm", "wise", "witty", "zesty",
    ];

    private static readonly string[] s_nouns =
    [
        "ant", "badger", "bear", "bee", "bison", "cat", "crane", "crow", "deer", "dove", "eagle", "elk", "falcon",
        "finch", "fox", "frog", "gull", "hare", "hawk", "heron", "horse", "ibis", "koala", "lark", "lion", "lynx",
        "mole", "moth", "newt", "otter", "owl", "panda", "quail", "raven", "seal", "shark", "slug", "snail", "swan",
        "tiger", "toad", "trout", "whale", "wolf", "wren", "yak", "zebra",
    ];

    public static string Generate(Random random) =>
        $"{s_adjectives[random.Next(s_adjectives.Length)]}-{s_nouns[random.Next(s_nouns.Length)]}-{random.Next(1000)}";
}
