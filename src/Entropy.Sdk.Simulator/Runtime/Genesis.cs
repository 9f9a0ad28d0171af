using System.Collections.Immutable;
using System.Text;
using Entropy.Hashing;
using Entropy.Simulator.Node;

namespace Entropy.Simulator.Runtime;

/// <summary>A well-known development account of the simulated chain.</summary>
/// <param name="Name">The secret URI that derives it from the Substrate dev phrase (e.g. <c>//Alice</c>), or a description.</param>
/// <param name="AccountId">The 32-byte sr25519 public key / account id.</param>
internal sealed record DevAccount(string Name, byte[] AccountId);

/// <summary>A validator of the simulated chain: stash, threshold-server account, x25519 key, endpoint and subgroup.</summary>
/// <remarks><c>TssSecret</c> is the threshold server's secret: the dev mnemonic (first three validators) or a secret URI <c>//{Name}//tss</c>.</remarks>
internal sealed record DevValidator(string Name, byte[] Stash, byte[] TssAccount, string TssSecret, byte[] X25519PublicKey, string Endpoint, byte Subgroup)
{
    /// <summary>Creates the threshold server's sr25519 key pair from <see cref="TssSecret"/>.</summary>
    public Crypto.Sr25519KeyPair CreateTssKeyPair() =>
        TssSecret.StartsWith("//", StringComparison.Ordinal) ? Crypto.Sr25519KeyPair.FromSecretUri(TssSecret) : Crypto.Sr25519KeyPair.FromMnemonic(TssSecret);
}

/// <summary>The genesis state: the v0.0.10 <c>dev</c> chain spec of PROTOCOL.md §10, with configurable subgroups × validators.</summary>
internal static class Genesis
{
    /// <summary>The endowment of every dev account: <c>10_000_000 * DOLLARS</c>.</summary>
    public static readonly UInt128 Endowment = 10_000_000 * EntropyRuntime.Dollars;

    /// <summary>Public keys of the Substrate dev accounts (derived from the dev phrase; checked against polkadot-js Keyring).</summary>
    public static IReadOnlyList<DevAccount> DevAccounts { get; } =
    [
        new("//Alice", Convert.FromHexString("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")),
        new("//Bob", Convert.FromHexString("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48")),
        new("//Charlie", Convert.FromHexString("90b5ab205c6974c9ea841be688864633dc9ca8a357843eeacf2314649965fe22")),
        new("//Dave", Convert.FromHexString("306721211d5404bd9da88e0204360a1a9ab8b87c66c1bc2fcdd37f3c2222cc20")),
        new("//Eve", Convert.FromHexString("e659a7a1628cdd93febc04a4e0646ea20e9f5f0ce097d9a05290d4a9e054df4e")),
        new("//Ferdie", Convert.FromHexString("1cbd2d43530a44705ad088af313e18f80b53ef16b36177cd4b77b846f2a5f07c")),
        new("//One", Convert.FromHexString("ac859f8a216eeb1b320b4c76d118da3d7407fa523484d0a980126d3b4d0d220a")),
        new("//Two", Convert.FromHexString("1254f7017f0b8347ce7ab14f96d818802e7e9e0c0d1b7c9acb3c726b080e7a03")),
        new("//Alice//stash", Convert.FromHexString("be5ddb1579b72e84524fc29e78609e3caf42e85aa118ebfe0b0ad404b5bdd25f")),
        new("//Bob//stash", Convert.FromHexString("fe65717dad0447d715f660a0a58411de509b42e6efb8375f562f58a554d5860e")),
        new("//Charlie//stash", Convert.FromHexString("1e07379407fecc4b89eb7dbd287c2c781cfb1907a96947a3eb18e4f8e7198625")),
        new("//Dave//stash", Convert.FromHexString("e860f1b1c7227f7c22602f53f15af80747814dffd839719731ee3bba6edc126c")),
        new("//Eve//stash", Convert.FromHexString("8ac59e11963af19174d0b94d5d78041c233f55d2e19324665bafdfb62925af2d")),
        new("//Ferdie//stash", Convert.FromHexString("101191192fc877c24d725b337120fa3edc63d227bbc92705db1e2cb65f56981a")),
        new("//One//stash", Convert.FromHexString("7eb5180f1c619ea25be3c42de81c4c368347c62024f0eaa2b3334f79d7c46f18")),
        new("//Two//stash", Convert.FromHexString("2a34db436b450c489d16c1912495099a1491c3143b732b8715d0a619cd52a954")),
    ];

    /// <summary>The threshold-server accounts of the v0.0.10 dev chain (PROTOCOL.md §10), in validator order.</summary>
    private static readonly (string Name, string Account, string Mnemonic, string X25519)[] s_tssAccounts =
    [
        ("Alice TSS", "e0543c102def9f6ef0e8b8ffa31aa259167a9391566929fd718a1ccdaabdb876",
            "alarm mutual concert decrease hurry invest culture survey diagram crash snap click",
            "0ac029f0b853b23bed652d6d0de69b7cc38d94f93732eefc85b5861e90f73a22"),
        ("Bob TSS", "2a8200850770290c7ea3b50a8ff64c6761c882ff8393dc95fccb5d1475eff17f",
            "where sight patient orphan general short empower hope party hurt month voice",
            "e13087d3e3d5aa1501bd769eff57f55924aaa9b544c9d2b2edf765509988660a"),
        ("Charlie TSS", "14d223daeec68671f07298c66c9458980a48bb89fb8a85d5df31131acad8d611",
            "lake carry still awful point mention bike category tornado plate brass lock",
            "f5de63c959e377ec8ed94aab3aa28ca50768d224c4e3d0feaf64e232ef548d0d"),
    ];

    private static readonly string[] s_validatorNames = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie", "One", "Two"];

    /// <summary>
    /// The validators: subgroup <c>g</c> gets validators <c>g, g + S, g + 2S, …</c> (S subgroups), so the default 2 × 1 is
    /// Alice//stash in subgroup 0 and Bob//stash in subgroup 1, with their dev TSS accounts and x25519 keys.
    /// </summary>
    /// <remarks>
    /// Beyond the three documented TSS accounts (PROTOCOL.md §10, kept exactly), validator <c>i</c> gets a real key: the sr25519 pair
    /// of the secret URI <c>//{Name}//tss</c> (e.g. <c>//Dave//tss</c>, <c>//Validator9//tss</c>) and its x25519 key (§6.1).
    /// </remarks>
    public static IReadOnlyList<DevValidator> Validators(int subgroups, int perSubgroup, int basePort)
    {
        var result = new List<DevValidator>();
        var total = subgroups * perSubgroup;
        for (var i = 0; i < total; i++)
        {
            var subgroup = (byte)(i % subgroups);
            var name = i < s_validatorNames.Length ? s_validatorNames[i] : $"Validator{i}";
            var stash = i < s_validatorNames.Length
                ? DevAccounts.First(a => a.Name == $"//{name}//stash").AccountId
                : Blake2b.Hash256(Encoding.ASCII.GetBytes($"entropy-simulator stash {i}"));
            byte[] tss;
            byte[] x25519;
            string secret;
            if (i < s_tssAccounts.Length)
            {
                tss = Convert.FromHexString(s_tssAccounts[i].Account);
                x25519 = Convert.FromHexString(s_tssAccounts[i].X25519);
                secret = s_tssAccounts[i].Mnemonic;
            }
            else
            {
                secret = $"//{name}//tss";
                using var pair = Crypto.Sr25519KeyPair.FromSecretUri(secret);
                tss = pair.PublicKey.ToArray();
                x25519 = ThresholdServers.ThresholdServerKeys.DeriveX25519PublicKey(pair);
            }

            result.Add(new DevValidator(name, stash, tss, secret, x25519, $"127.0.0.1:{basePort + i}", subgroup));
        }

        return result;
    }

    /// <summary>Builds the genesis storage.</summary>
    public static ImmutableSortedDictionary<byte[], byte[]> Build(
        RuntimeFlavor flavor, IReadOnlyList<DevValidator> validators, int subgroups,
        IEnumerable<KeyValuePair<byte[], UInt128>> extraEndowed, IEnumerable<KeyValuePair<byte[], byte[]>> extraPrograms)
    {
        var state = new StateOverlay(ImmutableSortedDictionary.Create<byte[], byte[]>(ByteArrayComparer.Instance));
        var hash69 = Enumerable.Repeat((byte)69, 32).ToArray();

        // frame_system genesis: BlockHash[0] = ParentHash = hash69; ref-count upgrades done.
        state.Set(StorageKeys.TwoxMap("System", "BlockHash", ScaleBytes.U32(0)), hash69);
        state.Set(StorageKeys.Value("System", "ParentHash"), hash69);
        state.Set(StorageKeys.Value("System", "UpgradedToU32RefCount"), [1]);
        state.Set(StorageKeys.Value("System", "UpgradedToTripleRefCount"), [1]);
        state.Set(StorageKeys.Value("System", "LastRuntimeUpgrade"), ScaleBytes.Build(w => { w.WriteCompact(EntropyRuntime.SpecVersion); w.WriteString("node"); }));

        var balances = new Dictionary<byte[], UInt128>(ByteArrayComparer.Instance);
        foreach (var account in DevAccounts)
        {
            balances[account.AccountId] = Endowment;
        }

        foreach (var validator in validators)
        {
            balances.TryAdd(validator.Stash, Endowment);
            balances.TryAdd(validator.TssAccount, Endowment);
        }

        foreach (var (account, amount) in extraEndowed)
        {
            balances[account] = amount;
        }

        // pallet_treasury genesis: the treasury account is created with the existential deposit (it receives 80% of every fee).
        balances.TryAdd(EntropyRuntime.TreasuryAccount, EntropyRuntime.ExistentialDeposit);

        UInt128 issuance = 0;
        foreach (var (account, amount) in balances)
        {
            EntropyRuntime.PutAccount(state, account, new AccountInfo { Providers = 1, Free = amount });
            issuance += amount;
        }

        state.Set(StorageKeys.Value("Balances", "TotalIssuance"), ScaleBytes.U128(issuance));

        // pallet_transaction_payment genesis: NextFeeMultiplier = 1 (FixedU128).
        state.Set(StorageKeys.Value("TransactionPayment", "NextFeeMultiplier"), ScaleBytes.U128(FeeModel.One));

        // StakingExtension: ThresholdServers, ThresholdToStash, SigningGroups, IsValidatorSynced (= true for every member).
        for (var g = 0; g < subgroups; g++)
        {
            var members = validators.Where(v => v.Subgroup == g).Select(v => v.Stash).ToList();
            state.Set(StorageKeys.Blake2Map("StakingExtension", "SigningGroups", [(byte)g]), EntropyRuntime.WriteAccountVec(members));
        }

        foreach (var validator in validators)
        {
            var server = new ServerInfo(validator.TssAccount, validator.X25519PublicKey, Encoding.ASCII.GetBytes(validator.Endpoint));
            state.Set(StorageKeys.Blake2Map("StakingExtension", "ThresholdServers", validator.Stash), server.Encode());
            state.Set(StorageKeys.Blake2Map("StakingExtension", "ThresholdToStash", validator.TssAccount), validator.Stash);
            state.Set(StorageKeys.Blake2Map("StakingExtension", "IsValidatorSynced", validator.Stash), [1]);
            if (flavor.HasValidatorToSubgroup)
            {
                state.Set(StorageKeys.Map("StakingExtension", "ValidatorToSubgroup", StorageHasher.Identity, validator.Stash), [validator.Subgroup]);
            }
        }

        // pallet_sudo: the dev spec's root key is //Alice (dev.rs @ a9463b08: SudoConfig { key: Some(root_key) }, root_key = //Alice).
        state.Set(StorageKeys.Value("Sudo", "Key"), DevAccounts[0].AccountId);

        state.Set(StorageKeys.Value("Session", "Validators"), EntropyRuntime.WriteAccountVec(validators.Select(v => v.Stash)));

        // Programs: the v0.0.10 dev chain spec stores none (pallet_programs has no genesis config at a9463b08; the zero-hash
        // device-key-proxy program only appears in later releases). Programs passed in SimulatedChainOptions.Programs are a
        // simulator convenience: stored as if //Alice had deployed them with set_program, deposit reserved.
        var alice = DevAccounts[0].AccountId;
        var owned = new List<byte[]>();
        UInt128 deposit = 0;
        foreach (var (bytecode, configurationInterface) in extraPrograms)
        {
            var pointer = EntropyRuntime.ProgramPointer(bytecode, configurationInterface);
            var key = StorageKeys.Blake2Map("Programs", "Programs", pointer);
            if (state.Contains(key))
            {
                continue;
            }

            state.Set(key, new ProgramInfo { Bytecode = bytecode, Interface = configurationInterface, Deployer = alice, RefCounter = 0 }.Encode());
            owned.Add(pointer);
            deposit += EntropyRuntime.ProgramDepositPerByte * (UInt128)(bytecode.Length + configurationInterface.Length);
        }

        if (owned.Count > 0)
        {
            state.Set(StorageKeys.Blake2Map("Programs", "OwnedPrograms", alice), ScaleBytes.Build(w =>
            {
                w.WriteCompact((ulong)owned.Count);
                foreach (var pointer in owned)
                {
                    w.WriteBytes(pointer);
                }
            }));
            var aliceAccount = EntropyRuntime.GetAccount(state, alice);
            aliceAccount.Free -= deposit;
            aliceAccount.Reserved += deposit;
            EntropyRuntime.PutAccount(state, alice, aliceAccount);
        }

        // Pre-registered users of the dev spec (node/cli/src/chain_spec/dev.rs @ a9463b08, RelayerConfig.registered_accounts;
        // RegistryConfig @ d7a7f3c2): Dave (Public), Eve (Private, her x25519 key), Ferdie (Permissioned). The pallet's
        // genesis_build stores them with an EMPTY verifying key and no programs, and no threshold server holds a share for them.
        var eveX25519 = Convert.FromHexString("1c3f90544e93c3d6beea6f65758509c660604c8c98fbff1ca7269db9c02ac952");
        (int Index, byte[] Visibility)[] preRegistered = [(3, [0]), (4, [2, .. eveX25519]), (5, [1])];
        foreach (var (index, visibility) in preRegistered)
        {
            var account = DevAccounts[index].AccountId;
            var info = new RegisteredInfo { KeyVisibility = visibility, VerifyingKey = [], Programs = [], ProgramModificationAccount = account };
            state.Set(StorageKeys.Blake2Map(flavor.RegistryPallet, "Registered", account), info.Encode(flavor.HasVersionNumber));
        }

        return state.ToImmutable();
    }
}
