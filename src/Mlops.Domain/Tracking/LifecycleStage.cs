namespace Mlops.Domain.Tracking;

public enum LifecycleStage
{
    Active,
    Deleted,
}

public static class LifecycleStages
{
    public static string ToWire(this LifecycleStage stage) => stage == LifecycleStage.Active ? "active" : "deleted";

    public static LifecycleStage Parse(string value) => value == "deleted" ? LifecycleStage.Deleted : LifecycleStage.Active;
}
