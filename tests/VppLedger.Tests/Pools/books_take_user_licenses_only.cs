using static VppLedger.Tests.Pools.PoolFixtures;

namespace VppLedger.Tests.Pools;

public sealed class books_take_user_licenses_only
{
    [Fact]
    [Trait("Rule", "L6")]
    public void a_device_holder_for_a_book_is_rejected_and_nothing_is_granted()
    {
        PoolSpec.Given(Counts(5, product: ProductKind.Book))
            .When(Grant(User("a"), Device("d1")))
            .ThenRejected("BooksTakeUserLicensesOnly", "L6");
    }

    [Fact]
    [Trait("Rule", "L6")]
    public void a_user_holder_for_a_book_is_granted()
    {
        PoolSpec.Given(Counts(5, product: ProductKind.Book)).When(Grant(User("a"))).Then(Granted(User("a")));
    }
}
