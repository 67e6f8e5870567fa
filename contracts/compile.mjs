// Compiles contracts/src/*.sol offline with the solc npm package (solcjs) and writes
// contracts/build/<Name>.abi and <Name>.bin, the inputs of web3j's wrapper generator.
// Run from anywhere: node contracts/compile.mjs
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const contractsDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.dirname(contractsDir);
const srcDir = path.join(contractsDir, 'src');
const buildDir = path.join(contractsDir, 'build');
const nodeModules = path.join(repoRoot, 'node_modules');

function fail(message) {
  console.error(`compile.mjs: ${message}`);
  process.exit(1);
}

if (!fs.existsSync(path.join(nodeModules, 'solc')) || !fs.existsSync(path.join(nodeModules, '@openzeppelin', 'contracts'))) {
  fail(`node_modules is missing solc or @openzeppelin/contracts under ${repoRoot}: run scripts/setup first (it runs npm ci).`);
}

const solc = createRequire(path.join(repoRoot, 'package.json'))('solc');

const sources = Object.fromEntries(
  fs.readdirSync(srcDir)
    .filter((file) => file.endsWith('.sol'))
    .sort()
    .map((file) => [file, { content: fs.readFileSync(path.join(srcDir, file), 'utf8') }]),
);

const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    // Cancun is live on Polygon PoS and Amoy and supported by Anvil; newer targets are not on Polygon yet.
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};

// Only package imports reach the callback: relative imports between our sources are already in `sources`.
function findImports(importPath) {
  const candidate = path.join(nodeModules, importPath);
  if (!candidate.startsWith(nodeModules + path.sep) || !fs.existsSync(candidate)) {
    return { error: `import not found in node_modules: ${importPath}` };
  }
  return { contents: fs.readFileSync(candidate, 'utf8') };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));

const diagnostics = output.errors ?? [];
for (const diagnostic of diagnostics) {
  console.error(diagnostic.formattedMessage ?? diagnostic.message);
}
if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) {
  fail(`solc ${solc.version()} reported errors`);
}

fs.mkdirSync(buildDir, { recursive: true });
let written = 0;
for (const file of Object.keys(sources)) {
  for (const [name, contract] of Object.entries(output.contracts?.[file] ?? {})) {
    fs.writeFileSync(path.join(buildDir, `${name}.abi`), JSON.stringify(contract.abi));
    fs.writeFileSync(path.join(buildDir, `${name}.bin`), contract.evm.bytecode.object);
    written++;
  }
}
if (written === 0) {
  fail('no contracts in the compiler output');
}
console.log(`compile.mjs: solc ${solc.version()} wrote ${written} contracts to ${path.relative(repoRoot, buildDir)}/`);
