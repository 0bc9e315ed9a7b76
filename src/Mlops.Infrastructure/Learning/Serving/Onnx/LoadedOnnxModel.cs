using Microsoft.ML.OnnxRuntime;
using Mlops.Domain.Models;

namespace Mlops.Infrastructure.Learning.Serving.Onnx;

/// <summary>
/// An ONNX model loaded from a verified package: its session, the package's descriptor, and the slot names the
/// converter recorded for vector columns (see <see cref="OnnxSlotNames"/>).
/// </summary>
public sealed record LoadedOnnxModel(InferenceSession Session, ModelDescriptor Descriptor, IReadOnlyDictionary<string, string[]> SlotNames);
