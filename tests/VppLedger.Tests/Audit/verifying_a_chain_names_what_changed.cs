using System.Security.Cryptography;
using System.Text;
using VppLedger.Audit;

namespace VppLedger.Tests.Audit;

/// <summary>The pure chain: links, the verifier's verdicts by kind, and recorded heads (I1).</summary>
public sealed class verifying_a_chain_names_what_changed
{
    /// <summary>A sealed chain of <paramref name="count"/> events: every entry has its event, its row and its link.</summary>
    private static List<ChainEntry> Chain(int count)
    {
        var entries = new List<ChainEntry>();
        byte[] head = [];
        for (var i = 1; i <= count; i++)
        {
            var eventHash = SHA256.HashData(Encoding.UTF8.GetBytes("event " + i));
            var row = "row " + i;
            var hash = AuditChain.Link(head, eventHash, row, i);
            entries.Add(new ChainEntry(10 * i, "pool:t:1", i, eventHash, row, i, i == 1 ? null : head, eventHash, hash));
            head = hash;
        }

        return entries;
    }

    private static ChainVerification Verify(IEnumerable<ChainEntry> entries, ChainHead? sealedHead, ChainHead? recorded = null)
    {
        var verifier = new ChainVerifier(recorded);
        foreach (var e in entries)
        {
            if (!verifier.Add(e))
            {
                break;
            }
        }

        return verifier.Complete(sealedHead, 0);
    }

    private static ChainHead HeadOf(List<ChainEntry> chain, int position) =>
        new(position, chain[position - 1].Sequence, Convert.ToHexStringLower(chain[position - 1].LinkHash!));

    [Fact]
    [Trait("Rule", "I1")]
    public void an_untouched_chain_is_intact_and_its_head_is_the_last_link()
    {
        var chain = Chain(5);

        var result = Verify(chain, HeadOf(chain, 5), HeadOf(chain, 3));

        Assert.True(result.IsIntact, result.FirstMismatch?.Reason);
        Assert.Equal(HeadOf(chain, 5), result.Head);
        Assert.True(result.ExtendsRecordedHead);
    }

    [Theory]
    [Trait("Rule", "I1")]
    [InlineData("event changed", ChainMismatchKind.EventChanged)]
    [InlineData("event deleted", ChainMismatchKind.EventDeleted)]
    [InlineData("row changed", ChainMismatchKind.AuditRowChanged)]
    [InlineData("row deleted", ChainMismatchKind.AuditRowDeleted)]
    [InlineData("link deleted", ChainMismatchKind.LinkBroken)]
    public void each_change_to_the_third_event_is_named_at_the_third_event(string change, ChainMismatchKind kind)
    {
        var chain = Chain(5);
        var e = chain[2];
        chain[2] = change switch
        {
            "event changed" => e with { EventHash = SHA256.HashData("forged"u8) },
            "event deleted" => e with { EventHash = null },
            "row changed" => e with { RowCanonical = e.RowCanonical + "!" },
            "row deleted" => e with { RowCanonical = null },
            _ => e with { LinkPosition = null, LinkPrevious = null, LinkEventHash = null, LinkHash = null },
        };

        var result = Verify(chain, HeadOf(chain, 5));

        Assert.False(result.IsIntact);
        Assert.Equal((kind, e.Sequence), (result.FirstMismatch!.Kind, result.FirstMismatch.Sequence));
    }

    [Fact]
    [Trait("Rule", "I1")]
    public void an_event_with_no_link_between_two_links_that_follow_each_other_was_inserted()
    {
        var chain = Chain(4);
        chain.Insert(2, new ChainEntry(25, "pool:t:1", 99, SHA256.HashData("new"u8), "row", null, null, null, null));

        var result = Verify(chain, HeadOf(chain, 5));

        Assert.Equal((ChainMismatchKind.EventInserted, 25L), (result.FirstMismatch!.Kind, result.FirstMismatch.Sequence));
    }

    [Fact]
    [Trait("Rule", "I1")]
    public void a_consistently_truncated_tail_is_found_only_against_a_recorded_head()
    {
        var chain = Chain(6);
        var recorded = HeadOf(chain, 6);
        var truncated = chain.Take(4).ToList();

        Assert.True(Verify(truncated, HeadOf(chain, 4)).IsIntact);
        var result = Verify(truncated, HeadOf(chain, 4), recorded);
        Assert.Equal(ChainMismatchKind.Truncated, result.FirstMismatch!.Kind);
        Assert.False(result.ExtendsRecordedHead);
        Assert.Equal(ChainMismatchKind.Truncated, Verify(truncated, HeadOf(chain, 6)).FirstMismatch!.Kind);
    }

    [Fact]
    [Trait("Rule", "I1")]
    public void a_head_prints_and_parses_as_position_and_hash()
    {
        var head = new ChainHead(1200, 5000, new string('a', 64));

        Assert.Equal("1200:" + new string('a', 64), head.ToString());
        Assert.Equal(head with { Sequence = 0 }, ChainHead.Parse(head.ToString()));
        Assert.Throws<FormatException>(() => ChainHead.Parse("1200:xyz"));
        Assert.Throws<FormatException>(() => ChainHead.Parse("0:" + new string('a', 64)));
    }
}
