// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/// @notice Local stand-in for Polymarket's CLOB V2 exchanges (CTF and NegRisk) and ExchangeV3, which share these event
/// signatures. It only reproduces the settlement events of `matchOrders`, with the exact mainnet signatures and order:
/// no balances, no signatures, no state, so the runtime bytecode can be placed at the real addresses with
/// `anvil_setCode` (no constructor ever runs).
contract StandInExchangeV2 {
    uint8 private constant SELL = 1;

    /// @dev One already-matched order: amounts are the filled amounts (6 decimals, gross of fees). BUY (0) gives
    /// collateral (makerAmountFilled) for shares (takerAmountFilled); SELL (1) the reverse.
    struct OrderFill {
        bytes32 orderHash;
        address maker;
        uint8 side;
        uint256 tokenId;
        uint256 makerAmountFilled;
        uint256 takerAmountFilled;
        uint256 fee;
        bytes32 builder;
        bytes32 metadata;
    }

    event OrderFilled(
        bytes32 indexed orderHash,
        address indexed maker,
        address indexed taker,
        uint8 side,
        uint256 tokenId,
        uint256 makerAmountFilled,
        uint256 takerAmountFilled,
        uint256 fee,
        bytes32 builder,
        bytes32 metadata
    );

    event OrdersMatched(
        bytes32 indexed takerOrderHash,
        address indexed takerOrderMaker,
        uint8 side,
        uint256 tokenId,
        uint256 makerAmountFilled,
        uint256 takerAmountFilled
    );

    error NoMakerOrders();
    error ZeroMaker();
    error ZeroAmount();
    error InvalidSide();
    error ZeroTokenId();

    /// @notice Settles one taker order against resting maker orders the way the mainnet exchange reports it: one
    /// OrderFilled per maker order (taker = the taker order's maker), one aggregated OrderFilled for the taker order
    /// (taker = this exchange), then OrdersMatched.
    function matchOrders(OrderFill calldata takerOrder, OrderFill[] calldata makerOrders) external {
        if (makerOrders.length == 0) revert NoMakerOrders();
        _check(takerOrder);
        for (uint256 i = 0; i < makerOrders.length; ++i) {
            OrderFill calldata m = makerOrders[i];
            _check(m);
            emit OrderFilled(
                m.orderHash, m.maker, takerOrder.maker, m.side, m.tokenId, m.makerAmountFilled, m.takerAmountFilled,
                m.fee, m.builder, m.metadata
            );
        }
        emit OrderFilled(
            takerOrder.orderHash, takerOrder.maker, address(this), takerOrder.side, takerOrder.tokenId,
            takerOrder.makerAmountFilled, takerOrder.takerAmountFilled, takerOrder.fee, takerOrder.builder,
            takerOrder.metadata
        );
        emit OrdersMatched(
            takerOrder.orderHash, takerOrder.maker, takerOrder.side, takerOrder.tokenId, takerOrder.makerAmountFilled,
            takerOrder.takerAmountFilled
        );
    }

    function _check(OrderFill calldata o) private pure {
        if (o.maker == address(0)) revert ZeroMaker();
        if (o.makerAmountFilled == 0 || o.takerAmountFilled == 0) revert ZeroAmount();
        if (o.side > SELL) revert InvalidSide();
        if (o.tokenId == 0) revert ZeroTokenId();
    }
}
