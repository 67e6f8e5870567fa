// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title Flywheel rewards: the FLY token and its cumulative Merkle distributor in one contract
/// @notice Supply enters only through the emission schedule fixed at deployment: `release()` (anyone)
///         moves what is due for the epochs that have ended into this contract's own balance, and
///         claims are transfers out of that balance. No role can mint, and no root can promise more
///         than the schedule: a root's total is at most the emission of every epoch through its own,
///         and its epoch must have ended by the chain's clock.
///
///         Roots are cumulative (the 1inch / Morpho URD design): a leaf holds an account's lifetime
///         total, a claim pays `cumulativeAmount - claimed`. Leaves are OpenZeppelin StandardMerkleTree
///         leaves of (uint256 chainId, address distributor, address account, uint256 cumulativeAmount),
///         so a tree made for this contract proves nothing on another chain or another distributor.
///
///         Roles: ROOT_PUBLISHER (the settler's hot key, in KMS) publishes roots; a new root waits
///         `activationDelay` seconds, during which the GUARDIAN (a multisig) may veto it and the
///         previous root stays claimable. The GUARDIAN may also pause claims. DEFAULT_ADMIN (a
///         TimelockController) manages roles and may replace the active root through `correctRoot`,
///         also with a lower total. The deployer gets no role.
///
///         The token and the distributor share one contract so that an account's balance and its
///         claimed total sit in one storage slot: a first claim writes one new slot instead of two.
contract RewardsDistributor is AccessControl, IERC20, IERC20Metadata, IERC20Errors {
    bytes32 public constant ROOT_PUBLISHER_ROLE = keccak256("ROOT_PUBLISHER_ROLE");
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @dev Balance and lifetime claimed total, packed: 2^128 base units is ~3.4e20 FLY, far above any schedule.
    struct Account {
        uint128 balance;
        uint128 claimed;
    }

    /// @dev One slot read by every claim and written by every publication. The active and the pending
    ///      root live in two fixed slots; activating flips `activeSlot` instead of copying the root.
    struct RootState {
        uint64 activeEpoch;
        uint64 pendingEpoch;
        uint40 pendingActivatesAt; // 0: nothing pending
        uint8 activeSlot;
        bool hasActive;
        bool paused;
    }

    uint256 public immutable genesis;
    uint256 public immutable epochLength;
    uint256 public immutable emissionPerEpoch;
    uint256 public immutable activationDelay;

    bytes32[2] private _roots;
    uint128[2] private _totals; // one slot
    RootState private _state;

    uint256 public totalSupply;
    mapping(address => Account) private _accounts;
    mapping(address => mapping(address => uint256)) public allowance;

    event Released(uint256 amount, uint256 totalReleased);
    event RootProposed(uint64 indexed epoch, bytes32 root, uint256 totalCumulative, bytes32 manifestHash, uint256 activatesAt);
    event RootActivated(uint64 indexed epoch, bytes32 root, uint256 totalCumulative);
    event RootVetoed(uint64 indexed epoch, bytes32 root, address guardian);
    event RootCorrected(uint64 indexed epoch, bytes32 root, uint256 totalCumulative, bytes32 manifestHash);
    event Claimed(address indexed account, uint256 amount, uint256 cumulativeAmount);
    event Paused(address guardian);
    event Unpaused(address account);

    error InvalidSchedule();
    error ZeroAddress();
    error EpochNotIncreasing(uint64 epoch, uint64 lastEpoch);
    error EpochNotEnded(uint64 epoch, uint256 endsAt, uint256 now_);
    error TotalAboveSchedule(uint256 totalCumulative, uint256 scheduled);
    error TotalCumulativeDecreased(uint256 totalCumulative, uint256 previousTotalCumulative);
    error NoPendingRoot();
    error NoActiveRoot();
    error InvalidProof();
    error NothingToClaim(address account, uint256 cumulativeAmount, uint256 alreadyClaimed);
    error ClaimsPaused();
    error NotPaused();
    error AmountTooLarge(uint256 amount);

    constructor(
        address admin,
        address publisher,
        address guardian,
        uint256 genesis_,
        uint256 epochLength_,
        uint256 emissionPerEpoch_,
        uint256 activationDelay_
    ) {
        if (admin == address(0) || publisher == address(0) || guardian == address(0)) revert ZeroAddress();
        // Per-epoch emission fits uint96 so (epoch + 1) * emission never leaves uint128 for 2^32 epochs.
        if (epochLength_ == 0 || emissionPerEpoch_ == 0 || emissionPerEpoch_ > type(uint96).max
            || genesis_ > type(uint40).max || activationDelay_ > 30 days) revert InvalidSchedule();
        genesis = genesis_;
        epochLength = epochLength_;
        emissionPerEpoch = emissionPerEpoch_;
        activationDelay = activationDelay_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(ROOT_PUBLISHER_ROLE, publisher);
        _grantRole(GUARDIAN_ROLE, guardian);
    }

    // ---------------------------------------------------------------- emission

    /// @notice Everything scheduled for the epochs that have ended by `timestamp`.
    function scheduledBy(uint256 timestamp) public view returns (uint256) {
        if (timestamp < genesis + epochLength) return 0;
        return ((timestamp - genesis) / epochLength) * emissionPerEpoch;
    }

    /// @notice The most any root for `epoch` may declare: the emission of epochs 0..epoch.
    function scheduledThrough(uint64 epoch) public view returns (uint256) {
        return (uint256(epoch) + 1) * emissionPerEpoch;
    }

    function releasable() public view returns (uint256) {
        return scheduledBy(block.timestamp) - totalSupply;
    }

    /// @notice Moves what the schedule has made due into this contract's balance. Anyone may call.
    function release() public returns (uint256 amount) {
        amount = releasable();
        if (amount == 0) return 0;
        if (amount > type(uint128).max - _accounts[address(this)].balance) revert AmountTooLarge(amount);
        totalSupply += amount;
        _accounts[address(this)].balance += uint128(amount);
        emit Transfer(address(0), address(this), amount);
        emit Released(amount, totalSupply);
    }

    // ---------------------------------------------------------------- roots

    /// @notice Proposes the cumulative root of `epoch`, claimable after `activationDelay`. A root
    ///         still pending is replaced (the newer cumulative root covers it).
    function publishRoot(uint64 epoch, bytes32 root, uint256 totalCumulative, bytes32 manifestHash)
        external
        onlyRole(ROOT_PUBLISHER_ROLE)
    {
        RootState memory s = _promote(_state);
        uint8 pendingSlot = 1 - s.activeSlot;
        if (s.pendingActivatesAt != 0) {
            if (epoch <= s.pendingEpoch) revert EpochNotIncreasing(epoch, s.pendingEpoch);
            uint128 previous = _totals[pendingSlot];
            if (totalCumulative < previous) revert TotalCumulativeDecreased(totalCumulative, previous);
        } else if (s.hasActive) {
            if (epoch <= s.activeEpoch) revert EpochNotIncreasing(epoch, s.activeEpoch);
            uint128 previous = _totals[s.activeSlot];
            if (totalCumulative < previous) revert TotalCumulativeDecreased(totalCumulative, previous);
        }
        _checkBounds(epoch, totalCumulative);
        _roots[pendingSlot] = root;
        _totals[pendingSlot] = uint128(totalCumulative);
        if (activationDelay == 0) {
            s.activeSlot = pendingSlot;
            s.activeEpoch = epoch;
            s.hasActive = true;
            _state = s;
            emit RootProposed(epoch, root, totalCumulative, manifestHash, block.timestamp);
            emit RootActivated(epoch, root, totalCumulative);
        } else {
            s.pendingEpoch = epoch;
            s.pendingActivatesAt = uint40(block.timestamp + activationDelay);
            _state = s;
            emit RootProposed(epoch, root, totalCumulative, manifestHash, s.pendingActivatesAt);
        }
    }

    /// @notice Makes a pending root whose delay has passed the active one. Optional: claims and
    ///         publications already treat such a root as active.
    function activate() external {
        RootState memory s = _state;
        if (s.pendingActivatesAt == 0 || s.pendingActivatesAt > block.timestamp) revert NoPendingRoot();
        _state = _promote(s);
    }

    /// @notice The guardian drops the pending root before it activates; the active root stays.
    function vetoPendingRoot() external onlyRole(GUARDIAN_ROLE) {
        RootState memory s = _state;
        if (s.pendingActivatesAt == 0 || s.pendingActivatesAt <= block.timestamp) revert NoPendingRoot();
        emit RootVetoed(s.pendingEpoch, _roots[1 - s.activeSlot], msg.sender);
        s.pendingActivatesAt = 0;
        _state = s;
    }

    /// @notice Timelocked repair: replaces the active root at once and drops any pending one. The
    ///         total may be lower than before; accounts that already claimed more keep it and can
    ///         claim again only once their leaf exceeds what they claimed. The epoch may not run
    ///         ahead of the clock, nor the total above the schedule.
    function correctRoot(uint64 epoch, bytes32 root, uint256 totalCumulative, bytes32 manifestHash)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _checkBounds(epoch, totalCumulative);
        RootState memory s = _state;
        s.activeEpoch = epoch;
        s.hasActive = true;
        s.pendingActivatesAt = 0;
        _state = s;
        _roots[s.activeSlot] = root;
        _totals[s.activeSlot] = uint128(totalCumulative);
        emit RootCorrected(epoch, root, totalCumulative, manifestHash);
        emit RootActivated(epoch, root, totalCumulative);
    }

    function pause() external onlyRole(GUARDIAN_ROLE) {
        _state.paused = true;
        emit Paused(msg.sender);
    }

    /// @notice The guardian or the timelocked admin lifts a pause.
    function unpause() external {
        if (!hasRole(GUARDIAN_ROLE, msg.sender) && !hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, GUARDIAN_ROLE);
        }
        if (!_state.paused) revert NotPaused();
        _state.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @notice The root claims verify against now, its epoch and total, and whether anything was
    ///         published yet; the pending root (if any) and when it activates.
    function roots()
        external
        view
        returns (bytes32 root, uint64 epoch, uint256 total, bool hasRoot, bytes32 pending, uint64 pendingEpoch_,
            uint256 pendingTotal_, uint256 pendingActivatesAt, bool paused_)
    {
        RootState memory s = _state;
        uint8 other = 1 - s.activeSlot;
        if (s.pendingActivatesAt != 0 && s.pendingActivatesAt <= block.timestamp) {
            return (_roots[other], s.pendingEpoch, _totals[other], true, bytes32(0), 0, 0, 0, s.paused);
        }
        if (s.pendingActivatesAt == 0) {
            return (_roots[s.activeSlot], s.activeEpoch, _totals[s.activeSlot], s.hasActive, bytes32(0), 0, 0, 0, s.paused);
        }
        return (_roots[s.activeSlot], s.activeEpoch, _totals[s.activeSlot], s.hasActive,
            _roots[other], s.pendingEpoch, _totals[other], s.pendingActivatesAt, s.paused);
    }

    /// @notice The last epoch accepted by publishRoot or correctRoot (active or pending), and whether there is one.
    function lastEpoch() external view returns (uint64 epoch, bool exists) {
        RootState memory s = _state;
        if (s.pendingActivatesAt != 0) return (s.pendingEpoch, true);
        return (s.activeEpoch, s.hasActive);
    }

    function paused() external view returns (bool) {
        return _state.paused;
    }

    function _checkBounds(uint64 epoch, uint256 totalCumulative) private view {
        uint256 endsAt = genesis + (uint256(epoch) + 1) * epochLength;
        if (endsAt > block.timestamp) revert EpochNotEnded(epoch, endsAt, block.timestamp);
        uint256 scheduled = scheduledThrough(epoch);
        if (totalCumulative > scheduled) revert TotalAboveSchedule(totalCumulative, scheduled);
    }

    function _promote(RootState memory s) private returns (RootState memory) {
        if (s.pendingActivatesAt != 0 && s.pendingActivatesAt <= block.timestamp) {
            s.activeSlot = 1 - s.activeSlot;
            s.activeEpoch = s.pendingEpoch;
            s.hasActive = true;
            s.pendingActivatesAt = 0;
            emit RootActivated(s.activeEpoch, _roots[s.activeSlot], _totals[s.activeSlot]);
        }
        return s;
    }

    // ---------------------------------------------------------------- claims

    /// @notice Pays `cumulativeAmount - claimed(account)` to `account` under the active root. Anyone
    ///         may claim for an account (e.g. a relayer paying gas); tokens always go to `account`.
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof) external {
        RootState memory s = _state;
        if (s.paused) revert ClaimsPaused();
        bytes32 root;
        if (s.pendingActivatesAt != 0 && s.pendingActivatesAt <= block.timestamp) {
            root = _roots[1 - s.activeSlot];
        } else {
            if (!s.hasActive) revert NoActiveRoot();
            root = _roots[s.activeSlot];
        }
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(block.chainid, address(this), account, cumulativeAmount))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert InvalidProof();

        if (cumulativeAmount > type(uint128).max) revert AmountTooLarge(cumulativeAmount);
        Account memory a = _accounts[account];
        if (cumulativeAmount <= a.claimed) revert NothingToClaim(account, cumulativeAmount, a.claimed);
        // A valid root never exceeds the schedule, so this fits, and release() can always cover it.
        uint256 amount = cumulativeAmount - a.claimed;
        if (_accounts[address(this)].balance < amount) release();
        uint128 pot = _accounts[address(this)].balance;
        if (pot < amount) revert ERC20InsufficientBalance(address(this), pot, amount);
        unchecked {
            _accounts[address(this)].balance = pot - uint128(amount);
        }
        // Read again: the account may be this contract only in a malformed tree, and then the pot changed.
        a = _accounts[account];
        a.claimed = uint128(cumulativeAmount);
        a.balance += uint128(amount);
        _accounts[account] = a;
        emit Claimed(account, amount, cumulativeAmount);
        emit Transfer(address(this), account, amount);
    }

    function claimed(address account) external view returns (uint256) {
        return _accounts[account].claimed;
    }

    // ---------------------------------------------------------------- ERC-20

    function name() external pure returns (string memory) {
        return "Flywheel";
    }

    function symbol() external pure returns (string memory) {
        return "FLY";
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function balanceOf(address account) external view returns (uint256) {
        return _accounts[account].balance;
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert ERC20InsufficientAllowance(msg.sender, allowed, value);
            unchecked {
                allowance[from][msg.sender] = allowed - value;
            }
        }
        _transfer(from, to, value);
        return true;
    }

    function _transfer(address from, address to, uint256 value) private {
        if (from == address(0)) revert ERC20InvalidSender(address(0));
        if (to == address(0)) revert ERC20InvalidReceiver(address(0));
        uint128 fromBalance = _accounts[from].balance;
        if (fromBalance < value) revert ERC20InsufficientBalance(from, fromBalance, value);
        unchecked {
            // value <= fromBalance < 2^128, and the sum of all balances is totalSupply < 2^128.
            _accounts[from].balance = fromBalance - uint128(value);
            _accounts[to].balance += uint128(value);
        }
        emit Transfer(from, to, value);
    }
}
