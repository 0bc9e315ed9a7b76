using Mlops.Domain.Common;
using Mlops.Infrastructure.Persistence;
using Mlops.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace Mlops.Infrastructure.Tests.Persistence.Postgres;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void Converts_user_password_host_port_and_database()
    {
        var builder = Parse("postgresql://mlops:s3cret@db.example.com:6543/tracking");

        Assert.Equal(("db.example.com", 6543, "mlops", "s3cret", "tracking"), (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database));
    }

    [Fact]
    public void Decodes_percent_encoded_user_and_password()
    {
        var builder = Parse("postgresql://ml%40ops:p%3Aw%2Fd%40@localhost/db");

        Assert.Equal(("ml@ops", "p:w/d@"), (builder.Username, builder.Password));
    }

    [Fact]
    public void Defaults_the_port_to_5432_and_the_database_to_the_user_name()
    {
        var builder = Parse("postgres://alice@localhost");

        Assert.Equal((5432, "alice"), (builder.Port, builder.Database));
    }

    [Fact]
    public void Accepts_an_sqlalchemy_driver_suffix()
    {
        Assert.Equal("db", Parse("postgresql+psycopg2://u:p@h:5432/db").Database);
        Assert.Equal(StoreKind.Postgres, StoreUri.Parse("postgresql+psycopg2://u:p@h:5432/db").Kind);
    }

    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    public void Maps_libpq_sslmode_names(string libpq, SslMode expected)
    {
        Assert.Equal(expected, Parse($"postgresql://u@h/db?sslmode={libpq}").SslMode);
    }

    [Fact]
    public void Maps_libpq_query_parameters_and_passes_npgsql_ones_through()
    {
        var builder = Parse("postgresql://u@h/db?application_name=mlops%20server&connect_timeout=7&Maximum%20Pool%20Size=40&sslrootcert=/etc/ca.pem");

        Assert.Equal(("mlops server", 7, 40, "/etc/ca.pem"), (builder.ApplicationName, builder.Timeout, builder.MaxPoolSize, builder.RootCertificate));
    }

    [Fact]
    public void Rejects_an_unknown_query_parameter_without_showing_the_password()
    {
        var error = Assert.Throws<MlopsException>(() => PostgresConnectionString.FromUri("postgresql://u:hunter2@h/db?no_such_option=1"));

        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("no_such_option", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_a_bracketed_ipv6_host()
    {
        Assert.Equal("::1", Parse("postgresql://u@[::1]:5433/db").Host);
    }

    private static NpgsqlConnectionStringBuilder Parse(string uri) => new(PostgresConnectionString.FromUri(uri));
}
