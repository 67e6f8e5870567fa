// Claiming from the browser: claim(account, cumulativeAmount, proof) on the RewardsDistributor through the
// page's EIP-1193 provider (window.ethereum). On the devnet, where no wallet extension exists, testwallet.js
// provides window.ethereum. This module (and ethers with it) is loaded only when the Claim button is clicked.
import { BrowserProvider, Contract } from 'ethers';

const DISTRIBUTOR_ABI = [
  'function claim(address account, uint256 cumulativeAmount, bytes32[] proof)',
  'function balanceOf(address account) view returns (uint256)',
  'function claimed(address account) view returns (uint256)',
  'error InvalidProof()',
  'error NothingToClaim(address account, uint256 cumulativeAmount, uint256 alreadyClaimed)',
  'error ClaimsPaused()',
  'error NoActiveRoot()',
  'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
];

/** The distributor's refusal, in words. */
export function explainRevert(e) {
  const name = e?.revert?.name;
  switch (name) {
    case 'InvalidProof':
      return 'The distributor rejected the proof: a newer root became active since this page loaded. Reload the page and claim again.';
    case 'NothingToClaim':
      return 'Nothing to claim: everything earned under the active root has been claimed already.';
    case 'ClaimsPaused':
      return 'Claims are paused on the distributor by its guardian.';
    case 'NoActiveRoot':
      return 'No root is active on the distributor yet.';
    case 'ERC20InsufficientBalance':
      return 'The distributor has not released enough tokens on its emission schedule yet to pay this claim. Try again shortly.';
    default:
      return e?.shortMessage || e?.reason || e?.message || String(e);
  }
}

/** Sends the claim from the browser wallet; resolves to { txHash, balance } once mined. */
export async function claimFromBrowser({ distributor, chainId, owner, claim, refresh }) {
  if (!window.ethereum) {
    throw new Error('No browser wallet found: install an EIP-1193 wallet (e.g. MetaMask) to claim from this page.');
  }
  const provider = new BrowserProvider(window.ethereum);
  const network = await provider.getNetwork();
  if (Number(network.chainId) !== Number(chainId)) {
    throw new Error(`Your wallet is on chain ${network.chainId}; the distributor is on chain ${chainId}. Switch networks and try again.`);
  }
  const signer = await provider.getSigner();
  const contract = new Contract(distributor, DISTRIBUTOR_ABI, signer);
  let current = claim;
  let tx;
  try {
    tx = await contract.claim(owner, current.cumulativeAmount, current.proof);
  } catch (e) {
    // The root may have moved on between loading the page and the click: fetch the proof under the active root once more.
    if (e?.revert?.name !== 'InvalidProof' || !refresh) throw e;
    current = await refresh();
    if (!current) throw e;
    tx = await contract.claim(owner, current.cumulativeAmount, current.proof);
  }
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`The claim transaction ${tx.hash} reverted.`);
  const balance = await new Contract(distributor, DISTRIBUTOR_ABI, provider).balanceOf(owner);
  return { txHash: tx.hash, balance: balance.toString(), sender: await signer.getAddress() };
}
