// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// ABT bridged from the ArcBlock ledger, 1:1 with 18 decimals.
///
/// ABT locked on the ledger is minted here against EIP-712 signatures of `threshold` distinct bridge signers;
/// tokens burned here with `burnToArc` are released on the ledger to the DID named in the burn.
///
/// There is deliberately no owner, no admin mint, no pause and no upgrade path: the signer set and threshold are
/// fixed at deployment, so the supply is always exactly what was locked on the ledger (and signed for) minus what
/// was burned here. Changing the signer set means deploying a new contract and migrating.
contract ArcBridgedAbt is ERC20, EIP712 {
    /// Bound on the signer set: it keeps the per-mint signature loop and the duplicate bitmap small.
    uint256 public constant MAX_SIGNERS = 16;
    /// Bounds on `bytes(arcDid).length` in `burnToArc` (an Arc DID such as "did:abt:z1…" fits well inside).
    uint256 public constant ARC_DID_BYTES_MIN = 10;
    uint256 public constant ARC_DID_BYTES_MAX = 64;

    bytes32 public constant MINT_TYPEHASH = keccak256("Mint(address to,uint256 amount,bytes32 lockId)");

    event BridgeMinted(bytes32 indexed lockId, address indexed to, uint256 amount);
    event BridgeBurned(address indexed from, string arcDid, uint256 amount, uint256 indexed burnNonce);

    error AlreadyMinted(bytes32 lockId);
    error NotEnoughSignatures(uint256 valid, uint256 threshold);
    error UnknownSigner(address signer);
    error DuplicateSigner(address signer);
    error ZeroSigner();
    error TooManySigners(uint256 count, uint256 max);
    error BadThreshold(uint256 threshold, uint256 signerCount);
    error ZeroAmount();
    error BadDid();

    address[] private _signers;
    /// A signer's bit (1 << its index in `_signers`); 0 for an address outside the set.
    mapping(address => uint256) private _signerBit;
    uint256 private immutable _threshold;

    mapping(bytes32 => bool) private _minted;
    /// Burns so far; the next burn's nonce is this plus one (nonces start at 1).
    uint256 public burnCount;

    constructor(address[] memory signers_, uint256 threshold_)
        ERC20("Bridged ArcBlock Token", "ABT")
        EIP712("ArcBridgedAbt", "1")
    {
        uint256 count = signers_.length;
        if (count > MAX_SIGNERS) revert TooManySigners(count, MAX_SIGNERS);
        if (threshold_ == 0 || threshold_ > count) revert BadThreshold(threshold_, count);
        for (uint256 i = 0; i < count; ++i) {
            address signer = signers_[i];
            if (signer == address(0)) revert ZeroSigner();
            if (_signerBit[signer] != 0) revert DuplicateSigner(signer);
            _signerBit[signer] = 1 << i;
            _signers.push(signer);
        }
        _threshold = threshold_;
    }

    function signers() external view returns (address[] memory) {
        return _signers;
    }

    function threshold() external view returns (uint256) {
        return _threshold;
    }

    function minted(bytes32 lockId) external view returns (bool) {
        return _minted[lockId];
    }

    /// The EIP-712 digest the signers sign for a mint (for off-chain checks and tests).
    function mintDigest(address to, uint256 amount, bytes32 lockId) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(MINT_TYPEHASH, to, amount, lockId)));
    }

    /// Mints `amount` to `to` for the ledger lock `lockId`, once per lockId. Anyone may submit (a relayer pays
    /// the gas); authority comes only from the signatures. Every signature must recover to a distinct member of
    /// the set: a signature over other data recovers to an unrelated address and reverts as UnknownSigner, so a
    /// relayer cannot pad a batch with junk. The loop is bounded by the set: the (MAX_SIGNERS + 1)th signature
    /// is necessarily unknown or a duplicate.
    function mint(address to, uint256 amount, bytes32 lockId, bytes[] calldata signatures) external {
        if (_minted[lockId]) revert AlreadyMinted(lockId);
        if (amount == 0) revert ZeroAmount();
        bytes32 digest = mintDigest(to, amount, lockId);
        uint256 seen = 0;
        uint256 valid = 0;
        for (uint256 i = 0; i < signatures.length; ++i) {
            // recover rejects malformed and high-s signatures, so one key yields one accepted signature per digest.
            address signer = ECDSA.recover(digest, signatures[i]);
            uint256 bit = _signerBit[signer];
            if (bit == 0) revert UnknownSigner(signer);
            if (seen & bit != 0) revert DuplicateSigner(signer);
            seen |= bit;
            ++valid;
        }
        if (valid < _threshold) revert NotEnoughSignatures(valid, _threshold);
        _minted[lockId] = true;
        _mint(to, amount);
        emit BridgeMinted(lockId, to, amount);
    }

    /// Burns `amount` of the caller's tokens for release on the ledger to `arcDid`; the ledger side reads the
    /// BridgeBurned log (burnNonce is unique and increasing, so it can tell every burn apart and spot a gap).
    function burnToArc(uint256 amount, string calldata arcDid) external {
        uint256 didBytes = bytes(arcDid).length;
        if (didBytes < ARC_DID_BYTES_MIN || didBytes > ARC_DID_BYTES_MAX) revert BadDid();
        if (amount == 0) revert ZeroAmount();
        _burn(msg.sender, amount);
        uint256 burnNonce = ++burnCount;
        emit BridgeBurned(msg.sender, arcDid, amount, burnNonce);
    }
}
