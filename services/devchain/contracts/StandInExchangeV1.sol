// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/// @notice Local stand-in for Polymarket's legacy CTF exchanges (V1 and NegRisk V1). It only reproduces the settlement
/// events of `matchOrders`, with the exact mainnet signatures and order: no balances, no signatures, no state, so the
/// runtime bytecode can be placed at the real addresses with `anvil_setCode` (no constructor ever runs).
contract StandInExchangeV1 {
    /// @dev One already-matched order: amounts are the filled amounts (6 decimals, gross of fees). An asset id of 0 is
    /// collateral, so makerAssetId == 0 means the order buys outcome token takerAssetId.
    struct OrderFill {
        bytes32 orderHash;
        address maker;
        uint256 makerAssetId;
        uint256 takerAssetId;
        uint256 makerAmountFilled;
        uint256 takerAmountFilled;
        uint256 fee;
    }

    event OrderFilled(
        bytes32 indexed orderHash,
        address indexed maker,
        address indexed taker,
        uint256 makerAssetId,
        uint256 takerAssetId,
        uint256 makerAmountFilled,
        uint256 takerAmountFilled,
        uint256 fee
    );

    event OrdersMatched(
        bytes32 indexed takerOrderHash,
        address indexed takerOrderMaker,
        uint256 makerAssetId,
        uint256 takerAssetId,
        uint256 makerAmountFilled,
        uint256 takerAmountFilled
    );

    error NoMakerOrders();
    error ZeroMaker();
    error ZeroAmount();
    /// @dev Exactly one side of an order is collateral (asset id 0).
    error InvalidAssetIds();

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
                m.orderHash, m.maker, takerOrder.maker, m.makerAssetId, m.takerAssetId, m.makerAmountFilled,
                m.takerAmountFilled, m.fee
            );
        }
        emit OrderFilled(
            takerOrder.orderHash, takerOrder.maker, address(this), takerOrder.makerAssetId, takerOrder.takerAssetId,
            takerOrder.makerAmountFilled, takerOrder.takerAmountFilled, takerOrder.fee
        );
        emit OrdersMatched(
            takerOrder.orderHash, takerOrder.maker, takerOrder.makerAssetId, takerOrder.takerAssetId,
            takerOrder.makerAmountFilled, takerOrder.takerAmountFilled
        );
    }

    function _check(OrderFill calldata o) private pure {
        if (o.maker == address(0)) revert ZeroMaker();
        if (o.makerAmountFilled == 0 || o.takerAmountFilled == 0) revert ZeroAmount();
        if ((o.makerAssetId == 0) == (o.takerAssetId == 0)) revert InvalidAssetIds();
    }
}
