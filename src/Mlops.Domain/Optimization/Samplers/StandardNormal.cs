namespace Mlops.Domain.Optimization.Samplers;

/// <summary>
/// The standard normal distribution to double precision, which .NET lacks: the CDF through W. J. Cody's rational
/// Chebyshev approximations of erfc (Math. Comp. 23, 1969, 631-638) and the quantile through P. J. Acklam's
/// rational approximation refined by one Halley step.
/// </summary>
internal static class StandardNormal
{
    public const double LogSqrtTwoPi = 0.91893853320467274178;

    private const double InvSqrtPi = 0.56418958354775628695;
    private const double InvSqrtTwo = 0.70710678118654752440;
    private const double SqrtTwoPi = 2.50662827463100050242;

    // Cody (1969): erf on |x| <= 0.46875.
    private const double A0 = 3.16112374387056560e00, A1 = 1.13864154151050156e02, A2 = 3.77485237685302021e02, A3 = 3.20937758913846947e03, A4 = 1.85777706184603153e-1;
    private const double B0 = 2.36012909523441209e01, B1 = 2.44024637934444173e02, B2 = 1.28261652607737228e03, B3 = 2.84423683343917062e03;

    // Cody (1969): exp(x^2) erfc(x) on 0.46875 < x <= 4.
    private const double C0 = 5.64188496988670089e-1, C1 = 8.88314979438837594e00, C2 = 6.61191906371416295e01, C3 = 2.98635138197400131e02, C4 = 8.81952221241769090e02, C5 = 1.71204761263407058e03, C6 = 2.05107837782607147e03, C7 = 1.23033935479799725e03, C8 = 2.15311535474403846e-8;
    private const double D0 = 1.57449261107098347e01, D1 = 1.17693950891312499e02, D2 = 5.37181101862009858e02, D3 = 1.62138957456669019e03, D4 = 3.29079923573345963e03, D5 = 4.36261909014324716e03, D6 = 3.43936767414372164e03, D7 = 1.23033935480374942e03;

    // Cody (1969): x exp(x^2) erfc(x) as a rational in 1/x^2 for x > 4.
    private const double P0 = 3.05326634961232344e-1, P1 = 3.60344899949804439e-1, P2 = 1.25781726111229246e-1, P3 = 1.60837851487422766e-2, P4 = 6.58749161529837803e-4, P5 = 1.63153871373020978e-2;
    private const double Q0 = 2.56852019228982242e00, Q1 = 1.87295284992346047e00, Q2 = 5.27905102951428412e-1, Q3 = 6.05183413124413191e-2, Q4 = 2.33520497626869185e-3;

    // Acklam's quantile approximation (relative error below 1.2e-9 before refinement).
    private static readonly double[] s_qa = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    private static readonly double[] s_qb = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    private static readonly double[] s_qc = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    private static readonly double[] s_qd = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];

    /// <summary>P(Z &lt;= z).</summary>
    public static double Cdf(double z) => 0.5 * Erfc(-z * InvSqrtTwo);

    /// <summary>The complementary error function, accurate to about 1e-15 relative.</summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        var y = Math.Abs(x);
        if (y <= 0.46875)
        {
            var z = y * y;
            var num = A4 * z;
            var den = z;
            num = (num + A0) * z;
            den = (den + B0) * z;
            num = (num + A1) * z;
            den = (den + B1) * z;
            num = (num + A2) * z;
            den = (den + B2) * z;
            return 1.0 - (x * (num + A3) / (den + B3));
        }

        double scaled;
        if (y <= 4.0)
        {
            var num = ((((((((C8 * y) + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y;
            var den = (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y;
            scaled = (num + C7) / (den + D7);
        }
        else if (y < 27.3)
        {
            var z = 1.0 / (y * y);
            var num = ((((((P5 * z) + P0) * z + P1) * z + P2) * z + P3) * z);
            var den = (((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z);
            scaled = (InvSqrtPi - (z * (num + P4) / (den + Q4))) / y;
        }
        else
        {
            return x > 0 ? 0.0 : 2.0;
        }

        // y^2 as an exact part (head has four fractional bits) plus a small correction, so the tail keeps its accuracy.
        var head = Math.Truncate(y * 16.0) / 16.0;
        var tail = (y - head) * (y + head);
        var result = Math.Exp(-(head * head) - tail) * scaled;
        return x < 0 ? 2.0 - result : result;
    }

    /// <summary>The z with P(Z &lt;= z) = p, for p in (0, 1); the infinities at 0 and 1.</summary>
    public static double Quantile(double p)
    {
        if (p <= 0)
        {
            return double.NegativeInfinity;
        }

        if (p >= 1)
        {
            return double.PositiveInfinity;
        }

        const double Low = 0.02425;
        double x;
        if (p < Low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((s_qc[0] * q + s_qc[1]) * q + s_qc[2]) * q + s_qc[3]) * q + s_qc[4]) * q + s_qc[5]) / ((((s_qd[0] * q + s_qd[1]) * q + s_qd[2]) * q + s_qd[3]) * q + 1);
        }
        else if (p <= 1 - Low)
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((s_qa[0] * r + s_qa[1]) * r + s_qa[2]) * r + s_qa[3]) * r + s_qa[4]) * r + s_qa[5]) * q / (((((s_qb[0] * r + s_qb[1]) * r + s_qb[2]) * r + s_qb[3]) * r + s_qb[4]) * r + 1);
        }
        else
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((s_qc[0] * q + s_qc[1]) * q + s_qc[2]) * q + s_qc[3]) * q + s_qc[4]) * q + s_qc[5]) / ((((s_qd[0] * q + s_qd[1]) * q + s_qd[2]) * q + s_qd[3]) * q + 1);
        }

        // One Halley step against the accurate CDF brings the result to full double precision.
        var e = Cdf(x) - p;
        var u = e * SqrtTwoPi * Math.Exp(0.5 * x * x);
        return x - (u / (1 + (0.5 * x * u)));
    }
}
