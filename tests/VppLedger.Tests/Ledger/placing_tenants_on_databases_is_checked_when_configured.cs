namespace VppLedger.Tests.Ledger;

public sealed class placing_tenants_on_databases_is_checked_when_configured
{
    private const string Db2 = "Host=127.0.0.1;Database=db2;Username=ledger";

    [Fact]
    public void nothing_configured_keeps_every_tenant_in_the_one_database()
    {
        var options = new VppLedgerOptions();

        Assert.False(options.Databases.IsMultiple);
        Assert.False(options.Databases.UsesRegistry);
        Assert.Equal([TenantDatabaseOptions.Control], options.Databases.Names);
    }

    [Fact]
    public void added_databases_and_their_tenants_make_the_static_map()
    {
        var databases = new VppLedgerOptions().Databases
            .Add("db2", Db2, new TenantId("acme"))
            .Place(TenantDatabaseOptions.Control, new TenantId("contoso"))
            .Place("db2", new TenantId("globex"), new TenantId("acme"));

        Assert.True(databases.IsMultiple);
        Assert.Equal(["control", "db2"], databases.Names);
        Assert.Equal("db2", databases.Placements["acme"]);
        Assert.Equal("db2", databases.Placements["globex"]);
        Assert.Equal("control", databases.Placements["contoso"]);
        databases.Validate();
    }

    [Theory]
    [InlineData("")]
    [InlineData("Db2")]
    [InlineData("2db")]
    [InlineData("db 2")]
    [InlineData("db2;drop")]
    public void a_database_name_that_is_not_a_plain_lower_case_word_is_refused(string name)
    {
        var refused = Assert.Throws<ArgumentException>(() => new VppLedgerOptions().Databases.Add(name, Db2));
        Assert.Contains("lower-case letters", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void the_control_database_is_not_added_and_no_database_is_added_twice()
    {
        Assert.Throws<ArgumentException>(() => new VppLedgerOptions().Databases.Add(TenantDatabaseOptions.Control, Db2));
        Assert.Throws<ArgumentException>(() => new VppLedgerOptions().Databases.Add("db2", Db2).Add("db2", Db2));
        Assert.Throws<ArgumentException>(() => new VppLedgerOptions().Databases.Add("db2", "Host=x;NoSuchKeyword=1"));
    }

    [Fact]
    [Trait("Rule", "X2")]
    public void a_tenant_lives_in_one_database()
    {
        var databases = new VppLedgerOptions().Databases.Add("db2", Db2, new TenantId("acme"));

        var refused = Assert.Throws<ArgumentException>(() => databases.Place(TenantDatabaseOptions.Control, new TenantId("acme")));
        Assert.Contains("'acme'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_placement_on_a_database_never_added_is_refused_when_the_ledger_is_created()
    {
        var refused = Assert.Throws<ArgumentException>(() => LicenseLedger.Create("Host=127.0.0.1;Username=ledger", o => o.Databases.Place("db9", new TenantId("acme"))));
        Assert.Contains("db9", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void placement_errors_are_typed_and_say_what_to_do()
    {
        var notPlaced = new TenantNotPlacedException(new TenantId("newco"));
        Assert.Equal(new TenantId("newco"), notPlaced.Tenant);
        Assert.Contains("PlaceTenantAsync", notPlaced.Message, StringComparison.Ordinal);

        var unknown = new UnknownDatabaseException("db9", ["control", "db2"]);
        Assert.Equal("db9", unknown.Database);
        Assert.Contains("control, db2", unknown.Message, StringComparison.Ordinal);
    }
}
