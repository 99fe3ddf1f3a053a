import { ORDER_FILLED_V1_TOPIC, ORDER_FILLED_V2_TOPIC } from "../../services/polymarket/abi";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";

describe("exchange ABIs", () => {
  it("derive the OrderFilled topics published in the reference", () => {
    expect(ORDER_FILLED_V1_TOPIC).toBe("0xd0a08e8c493f9c94f29311604c9de1b4e8c8d4c06bd0c789af57f2d65bfec0f6");
    expect(ORDER_FILLED_V2_TOPIC).toBe("0xd543adfd945773f1a62f74f0ee55a5e3b9b1a28262980ba90b1a89f2ea84d8ee");
  });

  it("list five exchanges with checksummed, distinct addresses", () => {
    expect(POLYGON_EXCHANGES).toHaveLength(5);
    expect(new Set(POLYGON_EXCHANGES.map((e) => e.address.toLowerCase())).size).toBe(5);
    expect(POLYGON_EXCHANGES.filter((e) => e.layout === "v1").map((e) => e.name)).toEqual([
      "ctf-exchange-v1",
      "negrisk-ctf-exchange-v1",
    ]);
  });
});
