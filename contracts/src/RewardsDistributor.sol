// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {FlywheelToken} from "./FlywheelToken.sol";

/// @title Cumulative Merkle rewards distributor (the 1inch / Morpho URD design)
/// @notice One root per epoch; each leaf holds an account's lifetime reward total, so a claim pays
///         `cumulativeAmount - claimed[account]` and an account may skip epochs without losing anything.
///         Leaves follow OpenZeppelin's StandardMerkleTree for (address, uint256).
contract RewardsDistributor is AccessControl {
    bytes32 public constant ROOT_PUBLISHER_ROLE = keccak256("ROOT_PUBLISHER_ROLE");

    FlywheelToken public immutable token;

    bytes32 public currentRoot;
    uint64 public currentEpoch;
    /// @notice Sum of all leaves of the current root: a cap on everything ever paid, so a wrong tree
    ///         cannot mint more than the operator declared.
    uint256 public totalCumulative;
    uint256 public totalClaimed;
    mapping(address account => uint256 amount) public claimed;

    event RootPublished(uint64 indexed epoch, bytes32 root, uint256 totalCumulative);
    event Claimed(address indexed account, uint256 amount, uint256 cumulativeAmount);

    error EpochNotIncreasing(uint64 epoch, uint64 currentEpoch);
    error TotalCumulativeDecreased(uint256 totalCumulative, uint256 previousTotalCumulative);
    error InvalidProof();
    error NothingToClaim(address account, uint256 cumulativeAmount, uint256 alreadyClaimed);
    error ExceedsTotalCumulative(uint256 totalAfterClaim, uint256 totalCumulative);

    constructor(FlywheelToken token_) {
        token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, msg.sender);
    }

    /// @notice Strictly increasing epochs make publication exactly-once on chain: a retried or
    ///         duplicated transaction for an epoch already published reverts instead of applying twice.
    function publishRoot(uint64 epoch, bytes32 root, uint256 totalCumulative_)
        external
        onlyRole(ROOT_PUBLISHER_ROLE)
    {
        if (epoch <= currentEpoch) revert EpochNotIncreasing(epoch, currentEpoch);
        if (totalCumulative_ < totalCumulative) revert TotalCumulativeDecreased(totalCumulative_, totalCumulative);
        currentEpoch = epoch;
        currentRoot = root;
        totalCumulative = totalCumulative_;
        emit RootPublished(epoch, root, totalCumulative_);
    }

    /// @notice Anyone may claim for an account (e.g. a relayer paying gas); tokens always go to `account`.
    function claim(address account, uint256 cumulativeAmount, bytes32[] calldata proof) external {
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
        if (!MerkleProof.verifyCalldata(proof, currentRoot, leaf)) revert InvalidProof();

        uint256 alreadyClaimed = claimed[account];
        if (cumulativeAmount <= alreadyClaimed) revert NothingToClaim(account, cumulativeAmount, alreadyClaimed);
        uint256 amount = cumulativeAmount - alreadyClaimed;
        uint256 totalAfterClaim = totalClaimed + amount;
        if (totalAfterClaim > totalCumulative) revert ExceedsTotalCumulative(totalAfterClaim, totalCumulative);

        claimed[account] = cumulativeAmount;
        totalClaimed = totalAfterClaim;
        emit Claimed(account, amount, cumulativeAmount);
        token.mint(account, amount);
    }
}
