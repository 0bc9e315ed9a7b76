using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mlops.Domain.Optimization.Samplers.Gp;

/// <summary>
/// The few dense linear-algebra kernels the GP needs, on row-major square matrices stored in a flat array. Sizes are
/// small (tens to a few hundred), where call overhead and bounds checks cost as much as the arithmetic, so the hot
/// loops use SIMD vectors over unchecked references. Every caller passes spans that fit: the span slicing at the
/// entry points is the bounds check.
/// </summary>
internal static class DenseMath
{
    private static readonly int s_width = Vector<double>.Count;

    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var length = a.Length;
        b = b[..length];
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        var i = 0;
        var sum = 0.0;
        if (Vector.IsHardwareAccelerated && length >= s_width)
        {
            var acc0 = Vector<double>.Zero;
            var acc1 = Vector<double>.Zero;
            for (; i + (2 * s_width) <= length; i += 2 * s_width)
            {
                acc0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref ra, (nuint)i), Vector.LoadUnsafe(ref rb, (nuint)i), acc0);
                acc1 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref ra, (nuint)(i + s_width)), Vector.LoadUnsafe(ref rb, (nuint)(i + s_width)), acc1);
            }

            for (; i + s_width <= length; i += s_width)
            {
                acc0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref ra, (nuint)i), Vector.LoadUnsafe(ref rb, (nuint)i), acc0);
            }

            sum = Vector.Sum(acc0 + acc1);
        }

        for (; i < length; i++)
        {
            sum += Unsafe.Add(ref ra, i) * Unsafe.Add(ref rb, i);
        }

        return sum;
    }

    /// <summary>y += alpha * x.</summary>
    public static void AddScaled(Span<double> y, double alpha, ReadOnlySpan<double> x)
    {
        var length = y.Length;
        x = x[..length];
        ref var ry = ref MemoryMarshal.GetReference(y);
        ref var rx = ref MemoryMarshal.GetReference(x);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(alpha);
            for (; i + s_width <= length; i += s_width)
            {
                Vector.FusedMultiplyAdd(va, Vector.LoadUnsafe(ref rx, (nuint)i), Vector.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref ry, i) += alpha * Unsafe.Add(ref rx, i);
        }
    }

    /// <summary>y *= alpha.</summary>
    public static void Scale(Span<double> y, double alpha)
    {
        for (var i = 0; i < y.Length; i++)
        {
            y[i] *= alpha;
        }
    }

    /// <summary>y += alpha * (x − c)².</summary>
    public static void AddScaledSquaredDifference(Span<double> y, double alpha, ReadOnlySpan<double> x, double c)
    {
        var length = y.Length;
        x = x[..length];
        ref var ry = ref MemoryMarshal.GetReference(y);
        ref var rx = ref MemoryMarshal.GetReference(x);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(alpha);
            var vc = new Vector<double>(c);
            for (; i + s_width <= length; i += s_width)
            {
                var delta = Vector.LoadUnsafe(ref rx, (nuint)i) - vc;
                Vector.FusedMultiplyAdd(va * delta, delta, Vector.LoadUnsafe(ref ry, (nuint)i)).StoreUnsafe(ref ry, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            var delta = Unsafe.Add(ref rx, i) - c;
            Unsafe.Add(ref ry, i) += alpha * delta * delta;
        }
    }

    /// <summary>The Matérn 5/2 kernel s²(1 + √5 r + 5r²/3)·exp(−√5 r) of each squared distance r² (in place).</summary>
    public static void Matern52(Span<double> squaredDistances, double signal)
    {
        const double sqrt5 = 2.2360679774997896964;
        var length = squaredDistances.Length;
        ref var rr = ref MemoryMarshal.GetReference(squaredDistances);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<double>(signal);
            var vSqrt5 = new Vector<double>(sqrt5);
            var vFiveThirds = new Vector<double>(5.0 / 3.0);
            for (; i + s_width <= length; i += s_width)
            {
                var r2 = Vector.LoadUnsafe(ref rr, (nuint)i);
                var sr = vSqrt5 * Vector.SquareRoot(r2);
                (vs * (Vector<double>.One + sr + (vFiveThirds * r2)) * Vector.Exp(-sr)).StoreUnsafe(ref rr, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            var r2 = Unsafe.Add(ref rr, i);
            var sr = sqrt5 * Math.Sqrt(r2);
            Unsafe.Add(ref rr, i) = signal * (1 + sr + (5.0 / 3.0 * r2)) * Math.Exp(-sr);
        }
    }

    /// <summary>
    /// The Matérn 5/2 kernel of each squared distance (in place) and its slope factor
    /// −(5/3)·s²·(1 + √5 r)·exp(−√5 r), which times λ_j·(x_j − x'_j) is the kernel's derivative along x_j.
    /// </summary>
    public static void Matern52WithSlope(Span<double> squaredDistances, double signal, Span<double> slope)
    {
        const double sqrt5 = 2.2360679774997896964;
        var length = squaredDistances.Length;
        slope = slope[..length];
        ref var rr = ref MemoryMarshal.GetReference(squaredDistances);
        ref var rs = ref MemoryMarshal.GetReference(slope);
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = new Vector<double>(signal);
            var vSlope = new Vector<double>(-5.0 / 3.0 * signal);
            var vSqrt5 = new Vector<double>(sqrt5);
            var vFiveThirds = new Vector<double>(5.0 / 3.0);
            for (; i + s_width <= length; i += s_width)
            {
                var r2 = Vector.LoadUnsafe(ref rr, (nuint)i);
                var sr = vSqrt5 * Vector.SquareRoot(r2);
                var e = Vector.Exp(-sr);
                (vSlope * (Vector<double>.One + sr) * e).StoreUnsafe(ref rs, (nuint)i);
                (vs * (Vector<double>.One + sr + (vFiveThirds * r2)) * e).StoreUnsafe(ref rr, (nuint)i);
            }
        }

        for (; i < length; i++)
        {
            var r2 = Unsafe.Add(ref rr, i);
            var sr = sqrt5 * Math.Sqrt(r2);
            var e = Math.Exp(-sr);
            Unsafe.Add(ref rs, i) = -5.0 / 3.0 * signal * (1 + sr) * e;
            Unsafe.Add(ref rr, i) = signal * (1 + sr + (5.0 / 3.0 * r2)) * e;
        }
    }

    /// <summary>
    /// In-place lower Cholesky factor of a symmetric positive-definite matrix (only the lower triangle is read; the
    /// upper triangle is zeroed). False when a pivot is not positive.
    /// </summary>
    public static bool Cholesky(double[] a, int n) => CholeskyRows(a, n, 0);

    /// <summary>
    /// Factorises rows <paramref name="fromRow"/>..n−1 of <paramref name="a"/>, whose earlier rows already hold the
    /// factor of the leading block: appending points to a GP costs O(n²) per point instead of a new O(n³) factor.
    /// Row by row, so the result is bit-identical to factorising the whole matrix at once.
    /// </summary>
    public static bool CholeskyRows(double[] a, int n, int fromRow)
    {
        for (var i = fromRow; i < n; i++)
        {
            var rowI = a.AsSpan(i * n, n);
            for (var j = 0; j < i; j++)
            {
                rowI[j] = (rowI[j] - Dot(rowI[..j], a.AsSpan(j * n, j))) / a[(j * n) + j];
            }

            var pivot = rowI[i] - Dot(rowI[..i], rowI[..i]);
            if (!(pivot > 0) || !double.IsFinite(pivot))
            {
                return false;
            }

            rowI[i] = Math.Sqrt(pivot);
            rowI[(i + 1)..].Clear();
        }

        return true;
    }

    /// <summary>Solves L x = b in place (L lower triangular, row-major).</summary>
    public static void ForwardSubstitute(double[] l, int n, Span<double> b)
    {
        for (var i = 0; i < n; i++)
        {
            b[i] = (b[i] - Dot(l.AsSpan(i * n, i), b[..i])) / l[(i * n) + i];
        }
    }

    /// <summary>Solves Lᵀ x = b in place (L lower triangular, row-major), column-oriented so rows are read contiguously.</summary>
    public static void BackSubstitute(double[] l, int n, Span<double> b)
    {
        for (var i = n - 1; i >= 0; i--)
        {
            b[i] /= l[(i * n) + i];
            AddScaled(b[..i], -b[i], l.AsSpan(i * n, i));
        }
    }

    /// <summary>
    /// Forward substitution for many right-hand sides at once: <paramref name="v"/> holds n rows of
    /// <paramref name="width"/> values (a multiple of the SIMD width), row i the i-th entries of every right-hand side,
    /// and is overwritten with L⁻¹·v. Accumulates in registers four vectors at a time.
    /// </summary>
    public static void ForwardSubstituteMany(double[] l, int n, double[] v, int width)
    {
        ref var rv = ref MemoryMarshal.GetArrayDataReference(v);
        ref var rl = ref MemoryMarshal.GetArrayDataReference(l);
        if (v.Length < n * width || l.Length < n * n || width % s_width != 0)
        {
            throw new ArgumentException("matrix sizes do not match");
        }

        for (var i = 0; i < n; i++)
        {
            var inverseDiagonal = new Vector<double>(1 / l[(i * n) + i]);
            var c = 0;
            for (; c + (4 * s_width) <= width; c += 4 * s_width)
            {
                var offset = (nuint)((i * width) + c);
                var acc0 = Vector.LoadUnsafe(ref rv, offset);
                var acc1 = Vector.LoadUnsafe(ref rv, offset + (nuint)s_width);
                var acc2 = Vector.LoadUnsafe(ref rv, offset + (nuint)(2 * s_width));
                var acc3 = Vector.LoadUnsafe(ref rv, offset + (nuint)(3 * s_width));
                for (var j = 0; j < i; j++)
                {
                    var lij = new Vector<double>(-Unsafe.Add(ref rl, (i * n) + j));
                    var source = (nuint)((j * width) + c);
                    acc0 = Vector.FusedMultiplyAdd(lij, Vector.LoadUnsafe(ref rv, source), acc0);
                    acc1 = Vector.FusedMultiplyAdd(lij, Vector.LoadUnsafe(ref rv, source + (nuint)s_width), acc1);
                    acc2 = Vector.FusedMultiplyAdd(lij, Vector.LoadUnsafe(ref rv, source + (nuint)(2 * s_width)), acc2);
                    acc3 = Vector.FusedMultiplyAdd(lij, Vector.LoadUnsafe(ref rv, source + (nuint)(3 * s_width)), acc3);
                }

                (acc0 * inverseDiagonal).StoreUnsafe(ref rv, offset);
                (acc1 * inverseDiagonal).StoreUnsafe(ref rv, offset + (nuint)s_width);
                (acc2 * inverseDiagonal).StoreUnsafe(ref rv, offset + (nuint)(2 * s_width));
                (acc3 * inverseDiagonal).StoreUnsafe(ref rv, offset + (nuint)(3 * s_width));
            }

            for (; c < width; c += s_width)
            {
                var offset = (nuint)((i * width) + c);
                var acc = Vector.LoadUnsafe(ref rv, offset);
                for (var j = 0; j < i; j++)
                {
                    acc = Vector.FusedMultiplyAdd(new Vector<double>(-Unsafe.Add(ref rl, (i * n) + j)), Vector.LoadUnsafe(ref rv, (nuint)((j * width) + c)), acc);
                }

                (acc * inverseDiagonal).StoreUnsafe(ref rv, offset);
            }
        }
    }

    /// <summary>K⁻¹ = L⁻ᵀ L⁻¹ from the Cholesky factor, as a full symmetric matrix.</summary>
    public static double[] InverseFromCholesky(double[] l, int n)
    {
        var inverse = new double[n * n];
        InverseFromCholesky(l, n, new double[n * n], inverse);
        return inverse;
    }

    /// <summary>
    /// K⁻¹ into <paramref name="inverse"/> (lower triangle only, which is all the likelihood gradient reads), with
    /// <paramref name="m"/> as n × n scratch space.
    /// </summary>
    public static void InverseFromCholesky(double[] l, int n, double[] m, double[] inverse, bool lowerOnly = false)
    {
        // Lower-triangular inverse M = L⁻¹, row by row: M[i][j] = -(Σ_{k=j..i-1} L[i][k] M[k][j]) / L[i][i].
        Array.Clear(m, 0, n * n);
        Array.Clear(inverse, 0, n * n);
        for (var i = 0; i < n; i++)
        {
            var rowM = m.AsSpan(i * n, n);
            var lii = l[(i * n) + i];
            for (var k = 0; k < i; k++)
            {
                var lik = l[(i * n) + k];
                if (lik != 0)
                {
                    AddScaled(rowM[..(k + 1)], -lik, m.AsSpan(k * n, k + 1));
                }
            }

            for (var j = 0; j < i; j++)
            {
                rowM[j] /= lii;
            }

            rowM[i] = 1 / lii;
        }

        // K⁻¹ = Mᵀ M: entry (i, j) = Σ_{k ≥ max(i,j)} M[k][i] M[k][j]; accumulate row k's outer product.
        for (var k = 0; k < n; k++)
        {
            var rowM = m.AsSpan(k * n, k + 1);
            for (var i = 0; i <= k; i++)
            {
                var mki = rowM[i];
                if (mki != 0)
                {
                    AddScaled(inverse.AsSpan(i * n, i + 1), mki, rowM[..(i + 1)]);
                }
            }
        }

        if (lowerOnly)
        {
            return;
        }

        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                inverse[(j * n) + i] = inverse[(i * n) + j];
            }
        }
    }
}
