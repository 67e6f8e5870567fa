// The devnet's test wallet: config.json carries an Anvil dev key and the host's RPC proxy, and this installs a
// minimal EIP-1193 provider (window.ethereum) over them: it signs eth_sendTransaction itself and forwards every
// other call. ethers is imported on the first request, so pages that never claim never load it.

export function installTestWallet(devnetWallet, chainId) {
  if (window.ethereum || !devnetWallet) return false;
  const rpcUrl = new URL(devnetWallet.rpcUrl, window.location.href).toString();
  let signer = null;
  const connect = async () => {
    if (!signer) {
      const { JsonRpcProvider, Wallet } = await import('ethers');
      const rpc = new JsonRpcProvider(rpcUrl, Number(chainId), { staticNetwork: true, batchMaxCount: 1 });
      signer = { rpc, wallet: new Wallet(devnetWallet.privateKey, rpc) };
    }
    return signer;
  };
  window.ethereum = {
    isFlywheelTestWallet: true,
    async request({ method, params = [] }) {
      if (method === 'eth_chainId') return '0x' + Number(chainId).toString(16);
      const { rpc, wallet } = await connect();
      switch (method) {
        case 'eth_requestAccounts':
        case 'eth_accounts':
          return [wallet.address];
        case 'eth_sendTransaction': {
          const t = params[0];
          const tx = await wallet.sendTransaction({ to: t.to, data: t.data, value: t.value ?? 0, gasLimit: t.gas ?? t.gasLimit });
          return tx.hash;
        }
        default:
          return rpc.send(method, params);
      }
    },
    on() {},
    removeListener() {},
  };
  return true;
}
