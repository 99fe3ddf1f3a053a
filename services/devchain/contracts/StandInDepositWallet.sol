// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/// @notice Local stand-in for a Polymarket deposit wallet (signature type 3, POLY_1271): an ERC-1271 account whose
/// owner key signs orders. The owner lives in storage slot 0 and is written with `anvil_setStorageAt`, because code
/// placed with `anvil_setCode` never runs a constructor.
/// @dev Simplification: the production wallet checks an ERC-7739 nested `TypedDataSign` signature (317 bytes); this
/// one accepts a plain 65-byte ECDSA signature of the order hash by the owner.
contract StandInDepositWallet {
    address private owner;

    bytes4 private constant MAGIC_VALUE = 0x1626ba7e;
    bytes4 private constant INVALID = 0xffffffff;
    /// @dev secp256k1n / 2: a larger `s` is the malleable twin of a valid signature, refused as OpenZeppelin does.
    uint256 private constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @notice ERC-1271: MAGIC_VALUE when `signature` is the owner's ECDSA signature of `hash`.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) return INVALID;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (v < 27) v += 27;
        if (uint256(s) > HALF_ORDER || (v != 27 && v != 28)) return INVALID;
        address signer = ecrecover(hash, v, r, s);
        return signer != address(0) && signer == owner ? MAGIC_VALUE : INVALID;
    }
}
