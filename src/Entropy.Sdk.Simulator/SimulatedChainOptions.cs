using Microsoft.Extensions.Logging;

namespace Entropy.Simulator;

/// <summary>How the simulated chain decides when to author a block.</summary>
public enum BlockProductionMode
{
    /// <summary>A block is authored as soon as a transaction enters the ready queue (like chopsticks' Instant mode).</summary>
    Instant,

    /// <summary>A block is authored every <see cref="SimulatedChainOptions.BlockInterval"/>, empty or not.</summary>
    Interval,

    /// <summary>Blocks are authored only on request: <c>dev_newBlock</c> or <see cref="SimulatedChain.ProduceBlockAsync"/>.</summary>
    Manual,
}

/// <summary>Which Entropy runtime the simulated chain serves (metadata, pallet names and storage layouts).</summary>
public enum SimulatedRuntime
{
    /// <summary>Release v0.0.10 (<c>a9463b08</c>): pallet <c>Relayer</c>, spec 10, tx 4.</summary>
    V0010,

    /// <summary>Commit <c>d7a7f3c2</c> (2024-03-21): pallet renamed <c>Registry</c>, <c>version_number</c> fields, spec 10, tx 4.</summary>
    Registry20240321,
}

/// <summary>Settings of a <see cref="SimulatedChain"/>.</summary>
public sealed class SimulatedChainOptions
{
    /// <summary>Gets or sets the loopback TCP port the JSON-RPC server listens on; 0 picks an ephemeral port.</summary>
    /// <value>The default value is 0.</value>
    public int Port { get; set; }

    /// <summary>Gets or sets the runtime whose metadata and storage layout the chain reproduces.</summary>
    /// <value>The default value is <see cref="SimulatedRuntime.V0010"/>.</value>
    public SimulatedRuntime Runtime { get; set; } = SimulatedRuntime.V0010;

    /// <summary>Gets or sets when blocks are authored.</summary>
    /// <value>The default value is <see cref="BlockProductionMode.Instant"/>.</value>
    public BlockProductionMode BlockProduction { get; set; } = BlockProductionMode.Instant;

    /// <summary>Gets or sets the block time in <see cref="BlockProductionMode.Interval"/> mode.</summary>
    /// <value>The default value is 6 seconds (the runtime's <c>MILLISECS_PER_BLOCK</c>).</value>
    public TimeSpan BlockInterval { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Gets or sets how many blocks finality lags behind the best block; 0 finalizes every block at once.</summary>
    /// <value>The default value is 0.</value>
    public int FinalityLag { get; set; }

    /// <summary>Gets or sets the number of signing subgroups (the runtime's <c>SIGNING_PARTY_SIZE</c>).</summary>
    /// <value>The default value is 2, as in v0.0.10.</value>
    public int Subgroups { get; set; } = 2;

    /// <summary>Gets or sets the number of validators in each signing subgroup.</summary>
    /// <value>The default value is 1 (the v0.0.10 dev chain: Alice//stash in subgroup 0, Bob//stash in subgroup 1).</value>
    public int ValidatorsPerSubgroup { get; set; } = 1;

    /// <summary>Gets the extra accounts endowed at genesis, as 32-byte account ids with their free balance in planck.</summary>
    /// <value>The default value is an empty list; the dev accounts of PROTOCOL.md §10 are always endowed.</value>
    public IList<KeyValuePair<byte[], UInt128>> EndowedAccounts { get; } = [];

    /// <summary>Gets the extra programs stored at genesis, each as bytecode and configuration interface.</summary>
    /// <value>The default value is an empty list. The v0.0.10 dev chain spec stores no program (none at the zero pointer either); programs
    /// listed here are a simulator convenience, stored as if //Alice had deployed them with <c>Programs.set_program</c> (deposit reserved).</value>
    public IList<KeyValuePair<byte[], byte[]>> Programs { get; } = [];

    /// <summary>Gets or sets the first port the simulated threshold servers' endpoints are numbered from in chain state.</summary>
    /// <value>The default value is 3001, as in the v0.0.10 dev chain spec.</value>
    public int ThresholdServerBasePort { get; set; } = 3001;

    /// <summary>Gets or sets the largest JSON-RPC request accepted, in bytes.</summary>
    /// <value>The default value is 15 MiB (Substrate's <c>--rpc-max-request-size</c> default).</value>
    public int MaxRequestBytes { get; set; } = 15 * 1024 * 1024;

    /// <summary>Gets or sets the clock used for block timestamps and interval block production.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the logger factory; <see langword="null"/> logs nothing.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>
    /// Test hook: rewrites the metadata the node serves over RPC (<c>state_getMetadata</c>, <c>Metadata_metadata*</c>) while its own
    /// runtime keeps the real one, so a client can be shown another runtime's shape (a later release, a changed field type).
    /// </summary>
    internal Func<byte[], byte[]>? ServedMetadata { get; set; }

    internal void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException("Port must be between 0 and 65535.", nameof(Port));
        }

        if (BlockInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("BlockInterval must be positive.", nameof(BlockInterval));
        }

        if (FinalityLag < 0)
        {
            throw new ArgumentException("FinalityLag must not be negative.", nameof(FinalityLag));
        }

        if (Subgroups is < 1 or > 255)
        {
            throw new ArgumentException("Subgroups must be between 1 and 255.", nameof(Subgroups));
        }

        if (ValidatorsPerSubgroup < 1)
        {
            throw new ArgumentException("ValidatorsPerSubgroup must be at least 1.", nameof(ValidatorsPerSubgroup));
        }

        if (MaxRequestBytes < 1024)
        {
            throw new ArgumentException("MaxRequestBytes must be at least 1024.", nameof(MaxRequestBytes));
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        foreach (var (account, _) in EndowedAccounts)
        {
            if (account is null || account.Length != 32)
            {
                throw new ArgumentException("Every endowed account must be a 32-byte account id.", nameof(EndowedAccounts));
            }
        }
    }
}
