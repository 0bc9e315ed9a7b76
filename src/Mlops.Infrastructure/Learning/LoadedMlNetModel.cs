using Microsoft.ML;
using Mlops.Domain.Models;

namespace Mlops.Infrastructure.Learning;

/// <summary>An ML.NET model loaded from a verified package, with the input schema it was saved with.</summary>
public sealed record LoadedMlNetModel(ITransformer Model, DataViewSchema InputSchema, ModelDescriptor Descriptor);
