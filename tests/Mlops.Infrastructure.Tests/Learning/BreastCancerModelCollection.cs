namespace Mlops.Infrastructure.Tests.Learning;

[CollectionDefinition(Name)]
public sealed class BreastCancerModelCollection : ICollectionFixture<BreastCancerModel>
{
    public const string Name = "breast cancer model";
}
