using Npgsql;
using VppLedger.Storage;

namespace VppLedger.Tests.Storage;

/// <summary>
/// A ledger built from a connection string prepares its statements (Npgsql's Max Auto Prepare), unless the host's
/// connection string says otherwise (issue 11: the server then plans each statement once per connection, not once per command).
/// </summary>
public sealed class the_ledgers_own_pool_prepares_its_statements
{
    [Fact]
    [Trait("Category", "Performance")]
    public void a_connection_string_that_does_not_say_gets_automatic_preparation()
    {
        var built = new NpgsqlConnectionStringBuilder(MartenSetup.WithAutoPrepare("Host=db;Username=ledger;Maximum Pool Size=9"));

        Assert.Equal(MartenSetup.DefaultMaxAutoPrepare, built.MaxAutoPrepare);
        Assert.Equal(9, built.MaxPoolSize);
        Assert.Equal("db", built.Host);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0", 0)]
    [InlineData("Host=db;max auto prepare=20", 20)]
    [InlineData("Host=db;MaxAutoPrepare=5", 5)]
    [Trait("Category", "Performance")]
    public void a_connection_string_that_sets_it_is_kept_as_written(string connectionString, int expected)
    {
        Assert.Equal(connectionString, MartenSetup.WithAutoPrepare(connectionString));
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(connectionString).MaxAutoPrepare);
    }
}
