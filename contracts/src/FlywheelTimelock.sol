// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title The admin of RewardsDistributor: OpenZeppelin's TimelockController, unchanged
/// @notice Proposers (the governance multisig) schedule role changes and root corrections, which
///         anyone listed as executor may run after `minDelay`. Declared here only so the build emits
///         its ABI and bytecode for the deploy tooling.
contract FlywheelTimelock is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors)
        TimelockController(minDelay, proposers, executors, address(0))
    {}
}
