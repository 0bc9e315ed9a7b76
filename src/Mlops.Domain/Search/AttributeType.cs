namespace Mlops.Domain.Search;

public enum AttributeType
{
    String,
    Number,
}
