namespace Mlops.Domain.Optimization;

public enum StudyDirection
{
    Minimize,
    Maximize,
}
