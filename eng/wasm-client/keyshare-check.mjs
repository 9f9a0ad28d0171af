// Loads a synedrion 0.1.0 KeyShare (bincode, hex on stdin) in Entropy's wasm client and prints what the client sees:
// {"verifyingKey": hex, "partyIndex": n, "roundTrip": hex of KeyShare.toBytes()}. Used by Entropy.Synedrion.Tests (WasmClient).
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { KeyShare } = require('@entropyxyz/entropy-protocol-nodejs');

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
const bytes = Uint8Array.from(Buffer.from(input.trim(), 'hex'));
try {
  const share = KeyShare.fromBytes(bytes);
  const out = {
    verifyingKey: Buffer.from(share.verifyingKey()).toString('hex'),
    partyIndex: share.partyIndex(),
    roundTrip: Buffer.from(share.toBytes()).toString('hex'),
  };
  process.stdout.write(JSON.stringify(out));
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e) }));
}
