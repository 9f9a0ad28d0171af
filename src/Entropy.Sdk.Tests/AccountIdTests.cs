using Entropy.Tests.Crypto;

namespace Entropy.Tests;

public class AccountIdTests
{
    private const string AliceSs58 = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    private const string AliceHex = "0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d";

    [Test]
    public void ToString_Alice_IsSs58Prefix42()
    {
        // SUBSTRATE.md §6.1 (a).
        var alice = new AccountId(Ss58Tests.AlicePublicKey);
        Assert.That(alice.ToString(), Is.EqualTo(AliceSs58));
        Assert.That(alice.ToSs58(0), Is.EqualTo("15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5"));
        Assert.That(alice.ToHex(), Is.EqualTo(AliceHex));
    }

    [TestCase(AliceSs58)]
    [TestCase("15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5")]
    [TestCase("vji5kpxBaPKwct6PAdHiJUPCU1hqBEAPaLMF59sXAjn4NeEaJ")]
    [TestCase(AliceHex)]
    [TestCase("0xD43593C715FDD31C61141ABD04A99FD6822C8558854CCDE39A5684E7A56DA27D")]
    public void Parse_AnyAliceForm_EqualsAlice(string text)
    {
        var alice = new AccountId(Ss58Tests.AlicePublicKey);
        Assert.That(AccountId.Parse(text), Is.EqualTo(alice));
        Assert.That(AccountId.TryParse(text, out AccountId parsed), Is.True);
        Assert.That(parsed == alice, Is.True);
        Assert.That(parsed.GetHashCode(), Is.EqualTo(alice.GetHashCode()));
    }

    [TestCase("0xd43593")]
    [TestCase("0xzz3593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")]
    [TestCase("5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ")]
    [TestCase("F7NZ")]
    [TestCase("")]
    public void Parse_Invalid_ThrowsFormatException(string text)
    {
        Assert.That(() => AccountId.Parse(text), Throws.TypeOf<FormatException>());
        Assert.That(AccountId.TryParse(text, out AccountId result), Is.False);
        Assert.That(result, Is.EqualTo(default(AccountId)));
    }

    [Test]
    public void Parse_Ss58OfAccountIndex_ThrowsFormatException()
    {
        string indexAddress = Entropy.Crypto.Ss58.Encode([1, 2, 3, 4], 42);
        Assert.That(() => AccountId.Parse(indexAddress), Throws.TypeOf<FormatException>().With.Message.Contains("4-byte"));
    }

    [Test]
    public void Constructor_WrongLength_ThrowsArgumentException()
    {
        Assert.That(() => new AccountId(new byte[31]), Throws.ArgumentException);
    }

    [Test]
    public void Default_IsAllZeroAccount()
    {
        Assert.That(default(AccountId).AsSpan().ToArray(), Is.EqualTo(new byte[32]));
        Assert.That(default(AccountId), Is.EqualTo(new AccountId(new byte[32])));
        Assert.That(default(AccountId) != new AccountId(Ss58Tests.AlicePublicKey), Is.True);
    }

    [Test]
    public void Constructor_CopiesInput()
    {
        byte[] bytes = (byte[])Ss58Tests.AlicePublicKey.Clone();
        var id = new AccountId(bytes);
        bytes[0] ^= 1;
        Assert.That(id.ToString(), Is.EqualTo(AliceSs58));
    }
}
