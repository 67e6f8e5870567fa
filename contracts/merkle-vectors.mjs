// Regenerates the Merkle test vectors that pin dev.flywheel.core.merkle.CumulativeMerkleTree to
// OpenZeppelin's StandardMerkleTree (the leaf format RewardsDistributor verifies on chain:
// (chainId, distributor, account, cumulativeAmount)).
// Run from the repository root: node contracts/merkle-vectors.mjs
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { StandardMerkleTree } = createRequire(path.join(repoRoot, 'package.json'))('@openzeppelin/merkle-tree');
const output = path.join(repoRoot, 'core/src/test/resources/dev/flywheel/core/merkle/openzeppelin-vectors.json');

const MAX_UINT256 = (1n << 256n) - 1n;

// Deterministic, so regenerating gives the same file; every third account is upper-case hex to
// check that the Java side normalises case exactly as abi.encode does (case never matters).
function account(size, i) {
  const hex = crypto.createHash('sha256').update(`flywheel-vector-${size}-${i}`).digest('hex').slice(0, 40);
  return '0x' + (i % 3 === 2 ? hex.toUpperCase() : hex);
}

function amount(size, i) {
  if (i === 0) return 0n;
  if (i === 1 && size > 2) return MAX_UINT256;
  if (i % 5 === 4) return 10n ** 18n; // repeated amounts: leaves still differ by account
  const digest = crypto.createHash('sha256').update(`flywheel-amount-${size}-${i}`).digest('hex');
  return BigInt('0x' + digest.slice(0, 8 + (i % 4) * 8));
}

// Leaves are bound to a chain and a distributor; the cases alternate two domains so a Java side that
// ignored either field would fail.
const DOMAINS = [
  { chainId: 80002n, distributor: '0x5FbDB2315678afecb367f032d93F642f64180aa3' },
  { chainId: 137n, distributor: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512' },
];

const cases = [1, 2, 3, 7, 100].map((size, c) => {
  const domain = DOMAINS[c % DOMAINS.length];
  const values = Array.from({ length: size }, (_, i) => [domain.chainId, domain.distributor, account(size, i), amount(size, i)]);
  const tree = StandardMerkleTree.of(values, ['uint256', 'address', 'address', 'uint256']);
  return {
    size,
    chainId: Number(domain.chainId),
    distributor: domain.distributor,
    root: tree.root,
    leaves: values.map(([, , acct, amt], i) => ({
      account: acct,
      cumulativeAmount: amt.toString(),
      proof: tree.getProof(i),
    })),
  };
});

fs.writeFileSync(output, JSON.stringify({
  generator: 'contracts/merkle-vectors.mjs with @openzeppelin/merkle-tree StandardMerkleTree.of([chainId, distributor, account, amount] values, ["uint256","address","address","uint256"])',
  cases,
}, null, 1) + '\n');
console.log(`wrote ${path.relative(repoRoot, output)}`);
