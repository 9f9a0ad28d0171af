// What the polkadot-js scripts share: the endpoint argument, an overall deadline, progress on stderr, an ApiPromise connected to the
// endpoint (and disconnected afterwards), and one JSON report on stdout. Exit codes: 0 report printed, 1 the script failed,
// 2 usage, 3 deadline passed.
import { ApiPromise, WsProvider } from '@polkadot/api';

/**
 * Returns the progress logger of a script: lines on stderr prefixed with its name.
 * @param {string} name the script's name
 */
export function stepper(name) {
  return (text) => console.error(`[${name}] ${text}`);
}

/**
 * Runs `body(api, step)` against the endpoint in argv[2] and prints what it returns as one JSON line.
 * @param {string} name the script's name, for usage and progress lines
 * @param {number} seconds the deadline for the whole run
 * @param {(api: ApiPromise, step: (text: string) => void) => Promise<object>} body builds the report
 */
export function runReport(name, seconds, body) {
  const endpoint = process.argv[2];
  if (!endpoint) {
    console.error(`usage: node ${name}.mjs <ws endpoint>`);
    process.exit(2);
  }

  const deadline = setTimeout(() => {
    console.error(`${name} timed out after ${seconds} s`);
    process.exit(3);
  }, seconds * 1000);
  const step = stepper(name);

  const main = async () => {
    const provider = new WsProvider(endpoint, false);
    await provider.connect();
    step('connected');
    const api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
    step(`api ready: ${api.runtimeVersion.specName} ${api.runtimeVersion.specVersion}, metadata v${api.runtimeMetadata.version}`);
    try {
      return await body(api, step);
    } finally {
      await api.disconnect();
    }
  };

  main().then(
    (report) => {
      clearTimeout(deadline);
      process.stdout.write(JSON.stringify(report) + '\n');
      process.exit(0);
    },
    (error) => {
      clearTimeout(deadline);
      console.error(error && error.stack ? error.stack : String(error));
      process.exit(1);
    },
  );
}
