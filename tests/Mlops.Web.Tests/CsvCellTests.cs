using Mlops.Web.Export;

namespace Mlops.Web.Tests;

public sealed class CsvCellTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\"")]
    [InlineData("+1+2", "'+1+2")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("", "")]
    public void Text_cells_cannot_become_formulas(string value, string expected) => Assert.Equal(expected, CsvCell.Text(value));

    [Fact]
    public void Numbers_are_invariant_and_not_prefixed()
    {
        Assert.Equal("-0.5", CsvCell.Number(-0.5));
        Assert.Equal("1E+300", CsvCell.Number(1e300));
        Assert.Equal("NaN", CsvCell.Number(double.NaN));
    }
}
