namespace Entropy.Hashing;

/// <summary>The hashers a Substrate runtime uses to turn a storage map key into part of a storage key.</summary>
/// <remarks>See <see href="https://docs.polkadot.com/polkadot-protocol/parachain-basics/chain-data/#storage-hashers"/>.</remarks>
internal enum StorageHasher
{
    /// <summary>16-byte BLAKE2b of the key.</summary>
    Blake2_128 = 0,

    /// <summary>32-byte BLAKE2b of the key.</summary>
    Blake2_256 = 1,

    /// <summary>16-byte BLAKE2b of the key followed by the key itself.</summary>
    Blake2_128Concat = 2,

    /// <summary>16-byte twox of the key.</summary>
    Twox128 = 3,

    /// <summary>32-byte twox of the key.</summary>
    Twox256 = 4,

    /// <summary>8-byte twox of the key followed by the key itself.</summary>
    Twox64Concat = 5,

    /// <summary>The key itself.</summary>
    Identity = 6,
}
